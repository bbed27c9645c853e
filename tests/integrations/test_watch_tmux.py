"""``--watch`` in a real terminal: a private tmux server, a real pane, the loopback API.

The watch starts the real detached fetcher against the loopback API; the test changes the
API's numbers and waits for the panel to show them, resizes the window, sends Ctrl+C, and
checks the box was drawn once in place, the process exited 0 without a traceback, and the
terminal came back (main screen, cursor visible). Every wait has a deadline so the module
stays well under 20 seconds.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from apiserver import ApiServer, Reply, usage_body
from conftest import write_credentials
from helpers import Tmux, poll
from rich.cells import cell_len

pytestmark = [pytest.mark.realprog, pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")]

# The interpreter running these tests (3.10 in .venv-3.10, ...), never a fixed venv.
PYTHON = sys.executable
WATCH = 'from statusline.commands import watch; from statusline.cache import paths; import sys; sys.exit(watch.run(paths.resolve(), "auto", 1.0))'
TITLE = "Claude Code Usage"


def pane(tmux: Tmux) -> str:
    """The pane with all its scrollback: a scrolled copy of the box would show here."""
    return tmux.capture("w", history=True)


def box_lines(pane: str) -> list[str]:
    lines = [ln.rstrip() for ln in pane.split("\n")]
    top = next(i for i, ln in enumerate(lines) if TITLE in ln)
    bottom = next(i for i in range(top, len(lines)) if lines[i].startswith("\u2514"))
    return lines[top:bottom + 1]


def square(pane: str, width: int) -> bool:
    """One whole box, every line the same display width, none wider than ``width``."""
    if pane.count(TITLE) != 1:
        return False
    box = box_lines(pane)
    widths = {cell_len(ln) for ln in box}
    return (len(widths) == 1 and widths.pop() <= width
            and all(ln.endswith(("\u2502", "\u2510", "\u2518")) for ln in box))


def assert_square(pane: str, width: int) -> None:
    assert square(pane, width), pane


def children(pid: str) -> list[tuple[str, str]]:
    out = subprocess.run(["ps", "-o", "pid=,stat=", "--ppid", pid], capture_output=True, text=True).stdout
    return [tuple(ln.split()[:2]) for ln in out.splitlines() if ln.strip()]  # type: ignore[misc]


def assert_no_zombies(tmux: Tmux) -> None:
    """The fetchers the watch started (at least two by now) were reaped, not left as zombies."""
    if shutil.which("ps") is None:
        return
    sh = tmux("display-message", "-p", "-t", "w", "#{pane_pid}").strip()
    watch_pid = next(pid for pid, _ in children(sh))
    poll("no zombie children", lambda: " ".join(st for _, st in children(watch_pid)),
         lambda stats: "Z" not in stats, 2, every=0.2)


def test_watch_redraws_in_place_and_exits_cleanly_on_ctrl_c(
    api: ApiServer, home: Path, tmp_path: Path
) -> None:
    write_credentials(home)
    exit_file, err_file = tmp_path / "exit.txt", tmp_path / "stderr.txt"
    env = {**os.environ, "CLAUDE_USAGE_TTL": "5", "TERM": "xterm-256color", "LANG": "C.UTF-8"}
    env.pop("NO_COLOR", None)
    # `trap :` lets sh outlive Ctrl+C and report the exit status (the child gets default SIGINT).
    script = (f"trap : INT; {shlex.quote(str(PYTHON))} -c {shlex.quote(WATCH)} 2>{shlex.quote(str(err_file))}; "
              f"echo EXIT=$? > {shlex.quote(str(exit_file))}; sleep 30")
    tmux = Tmux("watch", env)
    try:
        keep = [f"-e{k}={env[k]}" for k in ("HOME", "CLAUDE_USAGE_CACHE_DIR", "CLAUDE_USAGE_API_URL", "CLAUDE_USAGE_STATUS_URL",
                                             "CLAUDE_USAGE_TTL", "CLAUDE_USAGE_HTTP_TIMEOUT")]
        tmux.start("-d", "-s", "w", "-x", "100", "-y", "40", *keep, "sh -c " + shlex.quote(script))

        first = poll("the first fetch", lambda: pane(tmux), lambda p: "78%" in p and "41%" in p, 10, every=0.2)
        assert first.count(TITLE) == 1, first
        assert_square(first, 100)
        assert "Updated:" in first and "Resets in" in first

        # Up, not down: within one window usage never falls, so the merge keeps the larger reading.
        api.set("/api/oauth/usage", Reply(200, usage_body(five=92.0)))
        second = poll("the refresh", lambda: pane(tmux), lambda p: "92%" in p, 12, every=0.2)
        assert second.count(TITLE) == 1, second  # redrawn in place: no scrolled copies
        assert "78%" not in second
        assert_square(second, 100)
        print(f"--- 100 columns ---\n{second.rstrip()}")
        assert_no_zombies(tmux)

        tmux("resize-window", "-t", "w", "-x", "40", "-y", "40")
        # tmux first crops the old frame; the watch must notice and draw a 40-column box
        narrow = poll("the redraw after the resize", lambda: pane(tmux), lambda p: square(p, 40), 6, every=0.2)
        assert narrow.count(TITLE) == 1, narrow
        assert_square(narrow, 40)
        assert "Resets in" in narrow and "Updated" in narrow and "92%" in narrow
        print(f"--- 40 columns ---\n{narrow.rstrip()}")

        tmux("send-keys", "-t", "w", "C-c")
        poll("the exit status", lambda: exit_file.read_text() if exit_file.exists() else "",
             lambda s: s.strip() != "", 5, every=0.2)
        assert exit_file.read_text().strip() == "EXIT=0"
        state = tmux("display-message", "-p", "-t", "w", "#{alternate_on} #{cursor_flag}").split()
        assert state == ["0", "1"], "terminal left on the alternate screen or with the cursor hidden"
        after = pane(tmux)
        assert "Traceback" not in after and "Traceback" not in err_file.read_text()
    finally:
        tmux.kill()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-q", "-s"]))
