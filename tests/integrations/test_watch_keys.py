"""``--watch`` in a real tmux pane: ``q`` quits, a short pane says it is cropped, a dumb
terminal gets plain text.

Each test starts a private tmux server whose pane runs a small sh script around the real
watch (``sys.executable``), records ``stty -g`` before and after, and the exit status.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from pathlib import Path

import pytest
from apiserver import ApiServer, Reply, usage_body
from conftest import write_credentials
from helpers import Tmux, poll

pytestmark = [pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
              pytest.mark.realprog]

WATCH = 'from statusline.commands import watch; from statusline.cache import paths; import sys; sys.exit(watch.run(paths.resolve(), "auto", 1.0))'
TITLE = "Claude Code Usage"
KEEP = ("HOME", "CLAUDE_USAGE_CACHE_DIR", "CLAUDE_USAGE_API_URL", "CLAUDE_USAGE_STATUS_URL", "CLAUDE_USAGE_TTL", "CLAUDE_USAGE_HTTP_TIMEOUT")


def start(tmux: Tmux, env: dict[str, str], tmp_path: Path, command: str, width: int, height: int) -> None:
    t = {k: shlex.quote(str(tmp_path / k)) for k in ("before", "after", "exit", "err")}
    script = (f"stty -g > {t['before']}; trap : INT; {command} 2>{t['err']}; echo EXIT=$? > {t['exit']}; "
              f"stty -g > {t['after']}; sleep 30")
    keep = [f"-e{k}={env[k]}" for k in KEEP]
    tmux.start("-d", "-s", "w", "-x", str(width), "-y", str(height), *keep, "sh -c " + shlex.quote(script))


def watch_command(term: str | None = None) -> str:
    cmd = f"{shlex.quote(sys.executable)} -c {shlex.quote(WATCH)}"
    return f"env TERM={shlex.quote(term)} {cmd}" if term else cmd


def exit_status(tmp_path: Path) -> str:
    f = tmp_path / "exit"
    return poll("the exit status", lambda: f.read_text().strip() if f.exists() else "", bool, 5, every=0.1)


def pane_env(api: ApiServer) -> dict[str, str]:
    env = {**os.environ, "CLAUDE_USAGE_TTL": "5", "TERM": "xterm-256color", "LANG": "C.UTF-8"}
    env.pop("NO_COLOR", None)
    return env


def visible(tmux: Tmux) -> list[str]:
    rows = [ln.rstrip() for ln in tmux.capture("w").split("\n")]
    while rows and not rows[-1]:
        rows.pop()
    return rows


def test_q_quits_a_short_pane_says_it_is_cropped_and_the_tty_comes_back(api: ApiServer, home: Path,
                                                                         tmp_path: Path) -> None:
    write_credentials(home)
    env = pane_env(api)
    tmux = Tmux("keys", env)
    try:
        start(tmux, env, tmp_path, watch_command(), 80, 10)
        rows = poll("a cropped panel", lambda: visible(tmux),
                    lambda r: r and "more rows, enlarge the pane" in r[-1] and any(TITLE in x for x in r), 10, every=0.2)
        assert len(rows) == 10 and "78%" in "\n".join(rows), rows
        assert rows[-1].startswith("\u2026 ") and int(rows[-1].split()[1]) >= 3, rows[-1]

        tmux("resize-window", "-t", "w", "-x", "80", "-y", "40")
        whole = poll("the whole panel after enlarging", lambda: "\n".join(visible(tmux)),
                     lambda p: "Updated:" in p and "q or Ctrl+C" in p, 6, every=0.2)
        assert "more rows" not in whole

        tmux("send-keys", "-t", "w", "q")
        assert exit_status(tmp_path) == "EXIT=0"
        state = tmux("display-message", "-p", "-t", "w", "#{alternate_on} #{cursor_flag}").split()
        assert state == ["0", "1"], "terminal left on the alternate screen or with the cursor hidden"
        assert (tmp_path / "before").read_text() == (tmp_path / "after").read_text(), "tty settings not restored"
        assert "Traceback" not in (tmp_path / "err").read_text()
    finally:
        tmux.kill()


@pytest.mark.skipif(shutil.which("script") is None, reason="util-linux script is not installed")
@pytest.mark.parametrize("term", ["dumb", "no-such-terminal"])
def test_a_dumb_terminal_gets_the_panel_as_plain_text(api: ApiServer, home: Path, tmp_path: Path, term: str) -> None:
    write_credentials(home)
    env = pane_env(api)
    raw = tmp_path / "raw"
    # `script` records every byte the watch writes, on a terminal of its own
    cmd = f"script -q -e -c {shlex.quote(watch_command(term))} {shlex.quote(str(raw))}"
    tmux = Tmux("dumb", env)
    try:
        start(tmux, env, tmp_path, cmd, 80, 60)
        first = poll("the plain panel", lambda: tmux.capture("w", history=True),
                     lambda p: TITLE in p and "78%" in p, 10, every=0.2)
        assert tmux("display-message", "-p", "-t", "w", "#{alternate_on}").strip() == "0"
        assert "q or Ctrl+C" in first
        frames = first.count(TITLE)  # "waiting for the first update", then the numbers

        api.set("/api/oauth/usage", Reply(200, usage_body(five=92.0)))
        both = poll("the panel printed again", lambda: tmux.capture("w", history=True),
                    lambda p: "92%" in p, 15, every=0.2)
        assert both.count(TITLE) == frames + 1, both  # printed again below, not redrawn in place
        assert both.index("78%") < both.index("92%") and "\u2518\n\n\u250c" in both  # a blank row between

        tmux("send-keys", "-t", "w", "q")
        assert exit_status(tmp_path) == "EXIT=0"
        data = raw.read_bytes()
        assert b"92%" in data and b"\x1b" not in data, "a dumb terminal got escape sequences"
        assert (tmp_path / "before").read_text() == (tmp_path / "after").read_text()
    finally:
        tmux.kill()


def test_which_terminals_can_redraw(tmp_path: Path) -> None:
    from statusline.commands import watch

    for term in ("", None, "dumb", "unknown", "no-such-terminal", "../../etc/passwd"):
        assert not watch.capable(term), term
    db = tmp_path / "terminfo"
    (db / "m").mkdir(parents=True)
    (db / "m" / "mine").write_bytes(b"")
    env = {"TERMINFO": str(db), "TERMINFO_DIRS": ""}
    assert watch.terminfo_known("mine", env) and not watch.terminfo_known("theirs", env)
