"""``claude-usage configure`` in a real tmux pane, driven by ``send-keys``: the preview and the
keys at 100x30 and 60x20, the cursor on the first item, space toggling it, ``s`` saving (a
comment of the user's kept, the next ``claude-usage-line`` using it), ``q`` and Ctrl+C leaving
config.toml byte for byte, a resize redrawn, and a dumb terminal refused.

Each test starts a private tmux server (``helpers.Tmux``) whose pane runs a small sh script
around the real console script: ``stty -g`` before and after, the exit status and stderr into
files. The pane gets the test's isolated environment (HOME, the cache, the loopback API), named
explicitly with ``-e``.
"""

from __future__ import annotations

import os
import shlex
import shutil
from pathlib import Path

import pytest
from helpers import BIN, CLI, Tmux, line, poll

pytestmark = [pytest.mark.realprog,
              pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (apt-get install tmux)")]

KEEP = ("HOME", "CLAUDE_USAGE_CACHE_DIR", "CLAUDE_USAGE_API_URL", "CLAUDE_USAGE_STATUS_URL", "CLAUDE_USAGE_HTTP_TIMEOUT",
        "PATH", "LANG")
USERS = """\
# my settings: configure must keep this comment
ttl = 60

[line]
style = "plain"  # the look I like
"""


@pytest.fixture
def config_file(home: Path) -> Path:
    path = home / ".config" / "claude-usage" / "config.toml"
    path.parent.mkdir(parents=True)
    path.write_text(USERS)
    return path


class Pane:
    """``claude-usage configure`` in a pane of its own tmux server."""

    def __init__(self, tmp_path: Path, width: int, height: int, term: str | None = None) -> None:
        self.files = {k: tmp_path / k for k in ("before", "after", "exit", "err")}
        q = {k: shlex.quote(str(v)) for k, v in self.files.items()}
        command = shlex.quote(CLI) + " configure"
        if term:
            command = f"env TERM={shlex.quote(term)} {command}"
        script = (f"stty -g > {q['before']}; trap : INT; {command} 2>{q['err']}; echo EXIT=$? > {q['exit']}; "
                  f"stty -g > {q['after']}; sleep 60")
        env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}", LANG="C.UTF-8")
        self.tmux = Tmux("configure", env)
        keep = [f"-e{k}={env[k]}" for k in KEEP if k in env]
        self.tmux.start("-d", "-s", "w", "-x", str(width), "-y", str(height), *keep, "sh -c " + shlex.quote(script))

    def screen(self) -> str:
        return self.tmux.capture("w")

    def rows(self) -> list[str]:
        return self.screen().rstrip("\n").split("\n")

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "w", *keys)

    def wait(self, what: str, ok, timeout: float = 20) -> str:  # type: ignore[no-untyped-def]
        return poll(what, self.screen, ok, timeout, every=0.1)

    def row(self, label: str) -> str:
        """The preview's line after ``label`` (``prompt``, ``tmux``, ``Claude Code``)."""
        return next((r for r in self.rows() if r.startswith(f" {label} ")), "")

    def exit_status(self) -> str:
        f = self.files["exit"]
        return poll("the exit status", lambda: f.read_text().strip() if f.exists() else "", bool, 15)

    def terminal_restored(self) -> bool:
        state = self.tmux("display-message", "-p", "-t", "w", "#{alternate_on} #{cursor_flag}").split()
        return state == ["0", "1"] and self.files["before"].read_text() == self.files["after"].read_text()

    def kill(self) -> None:
        self.tmux.kill()


@pytest.fixture
def pane(request, tmp_path: Path):  # type: ignore[no-untyped-def]
    made: list[Pane] = []

    def start(width: int = 100, height: int = 30, term: str | None = None) -> Pane:
        p = Pane(tmp_path, width, height, term)
        made.append(p)
        return p

    yield start
    for p in made:
        p.kill()


def ready(screen: str) -> bool:
    return "keys:" in screen and "Claude Code" in screen and "› [x] five_hour" in screen


@pytest.mark.parametrize("size", [(100, 30), (60, 20)], ids=["100x30", "60x20"])
def test_the_screen_shows_the_preview_and_the_keys(size: tuple[int, int], warm, config_file: Path, pane) -> None:
    width, height = size
    p = pane(width, height)
    screen = p.wait("the configurator", ready)
    print(f"claude-usage configure at {width}x{height}:\n{screen}")
    rows = p.rows()
    assert len(rows) == height and all(len(r) <= width for r in rows)
    assert "5h 78%" in p.row("prompt") and "7d 41%" in p.row("prompt")  # the cache's numbers
    assert "5h 78%" in p.row("tmux") and "5h 78%" in p.row("Claude Code")
    assert "Opus 5.5" in screen  # the session items of the recorded input
    assert "limits: the cache" in screen or width < 100
    for key in ("space on/off", "s save", "q quit", "reorder", "row"):
        assert key in screen.replace("\n", " "), key
    assert "Items (12 on)" in screen and "style" in screen and "warn" in screen
    p.keys("q")
    assert p.exit_status() == "EXIT=0"
    assert config_file.read_text() == USERS


def test_space_toggles_the_first_item_and_s_saves_keeping_the_comment(warm, config_file: Path, pane) -> None:
    p = pane()
    p.wait("the configurator", ready)
    assert line("--format", "plain", "--no-refresh").stdout.startswith("5h 78%")
    p.keys("Space")
    p.wait("five_hour off in the preview", lambda s: "› [ ] five_hour" in s and "changed, not saved" in s)
    assert "5h" not in p.row("prompt") and "7d 41%" in p.row("prompt"), p.screen()
    assert "5h" not in p.row("Claude Code") and "5h" not in p.row("tmux")
    assert config_file.read_text() == USERS  # nothing written before s
    p.keys("s")
    shown = p.wait("the diff", lambda s: "saved config.toml" in s)
    print(shown)
    assert "+items = [" in shown and '-    "five_hour"' not in shown
    text = config_file.read_text()
    assert "# my settings: configure must keep this comment" in text and 'style = "plain"  # the look I like' in text
    assert "five_hour" not in text and '"seven_day"' in text
    out = line("--format", "plain", "--no-refresh").stdout
    assert out.startswith("7d 41%") and "5h" not in out, out  # the very next line
    p.keys("q")
    assert p.exit_status() == "EXIT=0"
    after = p.wait("the diff left on the terminal", lambda s: "claude-usage configure: saved" in s)
    assert "+items = [" in after and "Traceback" not in after
    assert p.terminal_restored()


def test_q_leaves_config_toml_byte_identical(warm, config_file: Path, pane) -> None:
    before = config_file.read_bytes(), config_file.stat().st_mtime_ns
    p = pane()
    p.wait("the configurator", ready)
    p.keys("Space", "Down", "Down", "r", "Tab", "Right", "Down", "Right")  # edits, never saved
    p.wait("the edits", lambda s: "changed, not saved" in s and "2 rows" in s)
    p.keys("q")
    assert p.exit_status() == "EXIT=0"
    assert (config_file.read_bytes(), config_file.stat().st_mtime_ns) == before
    assert "nothing written" in p.files["err"].read_text()
    assert p.terminal_restored()


def test_a_resize_redraws(warm, config_file: Path, pane) -> None:
    p = pane(100, 30)
    p.wait("the configurator", ready)
    p.tmux("resize-window", "-t", "w", "-x", "60", "-y", "20")
    small = p.wait("the narrow screen", lambda s: ready(s) and len(s.rstrip("\n").split("\n")) == 20)
    assert all(len(r) <= 60 for r in small.rstrip("\n").split("\n")), small
    assert "5h 78%" in p.row("prompt")
    p.tmux("resize-window", "-t", "w", "-x", "100", "-y", "30")
    p.wait("the wide screen", lambda s: ready(s) and len(s.rstrip("\n").split("\n")) == 30 and "fitted to 89 columns" in s)
    p.keys("Space")
    p.wait("still answering keys", lambda s: "› [ ] five_hour" in s)
    p.keys("q")
    assert p.exit_status() == "EXIT=0"
    assert "Traceback" not in p.files["err"].read_text() and config_file.read_text() == USERS
    assert p.terminal_restored() and p.screen().strip() == "", p.screen()  # nothing left on the screen


def test_ctrl_c_leaves_config_untouched_with_no_traceback(warm, config_file: Path, pane) -> None:
    before = config_file.read_bytes()
    p = pane()
    p.wait("the configurator", ready)
    p.keys("Space", "Tab", "Right")
    p.wait("the edits", lambda s: "changed, not saved" in s)
    p.keys("C-c")
    assert p.exit_status() == "EXIT=130"
    err = p.files["err"].read_text()
    assert "Traceback" not in err and "Traceback" not in p.screen() and "interrupted; nothing written" in err
    assert config_file.read_bytes() == before
    assert p.terminal_restored()


def test_a_dumb_terminal_is_told_it_needs_a_real_one(config_file: Path, pane) -> None:
    p = pane(term="dumb")
    assert p.exit_status() == "EXIT=2"
    err = p.files["err"].read_text()
    assert err == "claude-usage configure: needs a terminal (stdin and stdout a terminal, TERM not dumb)\n"
    assert config_file.read_text() == USERS
