"""The tmux plugin in real tmux: a private server, the plugin run by ``run-shell``, and the bar
seen through a client attached inside a second tmux.

The inner server gets ``status-right`` with ``#{claude_usage}`` and runs the shipped
``claude-usage.tmux``; its status bar is then drawn by a real tmux client running in a pane
of an outer server, so ``capture-pane -e`` of the outer pane shows what a terminal would get:
tmux's colours turned into escape sequences by the inner tmux, never raw ``[32m`` text or
``#[fg=…]`` codes. Every server is private (``-L``) and killed in a ``finally``.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import BIN, LINE, Tmux, bin_env, cli, poll

pytestmark = [pytest.mark.realprog,
              pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (apt-get install tmux)")]

REPO = Path(__file__).resolve().parents[2]
PLUGIN = REPO / "integrations" / "tmux" / "claude-usage.tmux"
SGR = re.compile(r"\x1b\[([0-9;:]*)m")
ESCAPE = re.compile(r"\x1b(\[[0-9;:?]*[A-Za-z]|\][^\x07\x1b]*(\x07|\x1b\\)|[()][0-9A-B]|[=>])")


@pytest.fixture
def servers():
    env = bin_env(TERM="xterm-256color")
    made: list[Tmux] = []

    def make(tag: str) -> Tmux:
        server = Tmux(tag, env)
        made.append(server)
        return server

    try:
        yield make
    finally:
        for server in made:
            server.kill()


def load_plugin(inner: Tmux, status_right: str) -> str:
    """What a user's tmux.conf does: set status-right with the placeholder, run the plugin."""
    inner("set-option", "-g", "status-right", status_right)
    inner("run-shell", str(PLUGIN))
    return inner("show-option", "-gv", "status-right").rstrip("\n")


def start_inner(servers: Callable[[str], Tmux]) -> Tmux:
    inner = servers("inner")
    inner.start("-d", "-s", "main", "-x", "100", "-y", "8", "sleep 600")
    # #() runs with tmux's global environment: give it what the line needs, as a user would.
    for key in ("HOME", "CLAUDE_USAGE_CACHE_DIR", "CLAUDE_USAGE_API_URL", "CLAUDE_USAGE_STATUS_URL",
                "CLAUDE_USAGE_HTTP_TIMEOUT"):
        inner("set-environment", "-g", key, os.environ[key])
    inner("set-environment", "-g", "PATH", f"{BIN}{os.pathsep}/usr/bin{os.pathsep}/bin")
    inner("set-option", "-g", "status-interval", "1")
    inner("set-option", "-g", "status-right-length", "80")
    return inner


def attach_from_outer(servers: Callable[[str], Tmux], inner: Tmux) -> Tmux:
    """A real tmux client for ``inner``, running in a pane of a second, detached server."""
    outer = servers("outer")
    client = f"env -u TMUX tmux -L {shlex.quote(inner.name)} -f {shlex.quote(str(inner.conf))} attach -t main"
    outer.start("-d", "-s", "view", "-x", "100", "-y", "8", client)
    outer("set-option", "-g", "status", "off")  # only the inner bar in the picture
    return outer


def bar(outer: Tmux) -> str:
    """The outer pane's last line, escapes and all: the inner tmux's status bar."""
    lines = outer.capture("view", escapes=True).rstrip("\n").split("\n")
    return lines[-1] if lines else ""


def visible(text: str) -> str:
    return ESCAPE.sub("", text)


def test_plugin_rewrites_placeholder_with_absolute_call(warm, servers) -> None:
    inner = start_inner(servers)
    try:
        status = load_plugin(inner, "#{claude_usage} | %H:%M")
    finally:
        inner.kill()
    assert status == f"#('{LINE}' --format tmux --glyphs plain --mode auto) | %H:%M", status


def test_plugin_finds_local_bin_when_tmux_path_lacks_it(warm, servers, home: Path) -> None:
    """tmux's global PATH often lacks ~/.local/bin (pipx): the plugin looks there too."""
    local_bin = home / ".local" / "bin"
    local_bin.mkdir(parents=True)
    (local_bin / "claude-usage-line").symlink_to(LINE)
    inner = start_inner(servers)
    inner("set-environment", "-g", "PATH", "/usr/bin:/bin")
    status = load_plugin(inner, "#{claude_usage}")
    assert status == f"#('{local_bin}/claude-usage-line' --format tmux --glyphs plain --mode auto)", status


def test_status_bar_shows_segment_in_tmux_colours(warm, servers) -> None:
    inner = start_inner(servers)
    status = load_plugin(inner, "#{claude_usage} |end")
    assert "#{claude_usage}" not in status
    assert "claude-usage-line" in status and "--format tmux" in status, status
    outer = attach_from_outer(servers, inner)

    shown = poll("the segment in the inner status bar", lambda: bar(outer), lambda s: "5h 78%" in visible(s))
    print("tmux status bar (capture-pane -e of the outer pane):", repr(shown))
    print("tmux status bar, as seen:", visible(shown).strip())
    text = visible(shown)
    assert "7d 41%" in text and "|end" in text
    assert "\u23f0" not in text  # plain glyphs by default: no emoji in a tmux bar
    # The colours arrived as real escapes, drawn by the inner tmux...
    before = shown[:shown.index("5h 78%")]
    last = SGR.findall(before)[-2:]  # the warn chip: black on gold (see test_tmux_colours.py)
    assert last == ["38;5;16", "48;5;220"], f"no warn chip before the 78 % segment: {shown!r}"
    # ...and nothing of a colour code is left as text.
    for raw in ("[32m", "[33m", "[0m", "#[fg", "#[default", "#(", "\\e["):
        assert raw not in text, (raw, text)


def test_the_bar_shows_the_share_left_when_config_toml_says_so(warm, servers, home: Path) -> None:
    """``[line] numbers = "left"`` in config.toml: the real bar counts down, with the colour of
    the share used (78 % used is the warn chip, though 22 % is left); an edit shows at the next
    refresh, with no restart."""
    config = home / ".config" / "claude-usage" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('[line]\nnumbers = "left"\n')
    inner = start_inner(servers)
    load_plugin(inner, "#{claude_usage} |end")
    outer = attach_from_outer(servers, inner)
    shown = poll("the share left in the bar", lambda: bar(outer), lambda s: "5h 22% left" in visible(s))
    print("tmux status bar, as seen:", visible(shown).strip())
    assert "7d 59% left" in visible(shown) and "78%" not in visible(shown)
    assert SGR.findall(shown[:shown.index("5h 22% left")])[-2:] == ["38;5;16", "48;5;220"], shown
    config.write_text('[line]\nnumbers = "used"\n')
    shown = poll("the share used, after the edit", lambda: bar(outer), lambda s: "5h 78%" in visible(s))
    assert "left" not in visible(shown)


def test_glyphs_option_changes_the_call(warm, servers) -> None:
    inner = start_inner(servers)
    inner("set-option", "-g", "@claude_usage_glyphs", "ascii")
    inner("set-option", "-g", "@claude_usage_mode", "code")
    status = load_plugin(inner, "#{claude_usage}")
    assert "--glyphs ascii" in status and "--mode code" in status, status
    assert "--format tmux" in status
    outer = attach_from_outer(servers, inner)
    shown = poll("the ascii segment", lambda: visible(bar(outer)), lambda s: "5h 78%" in s and " | 7d 41%" in s)
    print("tmux status bar with @claude_usage_glyphs ascii:", shown.strip())
    assert "\u21bb" not in shown  # the plain set's clock is gone too


def test_bad_option_values_fall_back_and_command_option_is_used(warm, servers, tmp_path: Path) -> None:
    inner = start_inner(servers)
    inner("set-option", "-g", "@claude_usage_format", "ansi; rm -rf ~")
    inner("set-option", "-g", "@claude_usage_command", "/opt/custom/claude-usage-line")
    status = load_plugin(inner, "L #{claude_usage} R")
    assert status == "L #(/opt/custom/claude-usage-line --format tmux --glyphs plain --mode auto) R", status


def test_setup_tmux_prints_the_plugin() -> None:
    r = cli("setup", "tmux")
    assert r.returncode == 0, r.stderr
    assert r.stdout == PLUGIN.read_text()
    assert "run-shell" in r.stderr
    assert os.access(PLUGIN, os.X_OK)  # TPM and run-shell execute it directly


def test_the_plugin_makes_room_only_at_tmuxs_default_length(servers):
    """A real line with a forecast marker, a per-model limit and an age is longer than tmux's
    default status-right-length of 40: the README's `… | %H:%M` would lose its clock."""
    inner = servers("len")
    inner.start("-d", "-s", "main", "-x", "100", "-y", "8", "sleep 600")
    assert inner("show-option", "-gv", "status-right-length").strip() == "40"  # tmux's own default
    load_plugin(inner, "#{claude_usage} | %H:%M")
    assert inner("show-option", "-gv", "status-right-length").strip() == "100"
    mine = servers("mine")
    mine.start("-d", "-s", "main", "-x", "100", "-y", "8", "sleep 600")
    mine("set-option", "-g", "status-right-length", "55")
    load_plugin(mine, "#{claude_usage} | %H:%M")
    assert mine("show-option", "-gv", "status-right-length").strip() == "55"  # a chosen length is kept
    other = servers("other")
    other.start("-d", "-s", "main", "-x", "100", "-y", "8", "sleep 600")
    load_plugin(other, "%H:%M")  # no placeholder: nothing of ours, nothing changed
    assert other("show-option", "-gv", "status-right-length").strip() == "40"
