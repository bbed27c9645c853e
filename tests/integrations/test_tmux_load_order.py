"""The tmux plugin as TPM loads it, and in either order with status-right, in real tmux.

TPM clones a plugin and runs every ``*.tmux`` file at the top of its folder, so the
repository has a root ``claude-usage-line.tmux`` that runs the plugin. Whether tmux.conf sets
``status-right`` before or after the plugin runs (a theme plugin loaded after ours, or a
re-sourced tmux.conf), ``#{claude_usage}`` must end up as the call.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from helpers import BIN, LINE, Tmux, poll
from test_tmux import attach_from_outer, bar, servers, start_inner, visible  # noqa: F401

pytestmark = [pytest.mark.realprog,
              pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")]

REPO = Path(__file__).resolve().parents[2]
CALL = f"#('{LINE}' --format tmux --glyphs plain --mode auto)"


def tpm_entries(root: Path) -> list[Path]:
    """What TPM runs for a plugin folder: its top-level *.tmux files."""
    return sorted(p for p in root.glob("*.tmux") if p.is_file())


def test_tpm_finds_an_executable_entry_at_the_root() -> None:
    entries = tpm_entries(REPO)
    assert [p.name for p in entries] == ["claude-usage-line.tmux"]
    assert os.access(entries[0], os.X_OK)


def conf_server(tmp_path: Path, tag: str, lines: list[str], env: dict[str, str]) -> Tmux:
    """A private tmux server started with ``lines`` as its tmux.conf, as a user's would be."""
    conf = tmp_path / f"{tag}.conf"
    conf.write_text("\n".join(lines) + "\n")
    server = Tmux(tag, env)
    server.conf = conf
    return server


def tmux_env(home: Path) -> dict[str, str]:
    return dict(os.environ, PATH=f"{BIN}{os.pathsep}/usr/bin{os.pathsep}/bin", TERM="xterm-256color",
                HOME=str(home))


@pytest.mark.parametrize("order", ["plugin-first", "plugin-last"])
def test_tmux_conf_in_either_order(order: str, home: Path, tmp_path: Path) -> None:
    """At server start (tmux runs no hooks while it reads tmux.conf) and again on a re-source."""
    # A TPM-like checkout: the plugin's folder holds the repository, TPM runs its root *.tmux.
    plugin_dir = home / ".tmux" / "plugins" / "claude-usage-line"
    plugin_dir.parent.mkdir(parents=True)
    plugin_dir.symlink_to(REPO)
    runs = [f"run-shell '{entry}'" for entry in tpm_entries(plugin_dir)]
    status = ["set -g status-right '#{claude_usage} | %H:%M'"]
    server = conf_server(tmp_path, "order", runs + status if order == "plugin-first" else status + runs,
                         tmux_env(home))
    try:
        server.start("-d", "-s", "main", "sleep 600")
        got = poll("the rewritten status-right", lambda: server("show-option", "-gv", "status-right").strip(),
                   lambda s: "claude_usage" not in s, 5)
        assert got == f"{CALL} | %H:%M", got
        server("source-file", str(server.conf))  # the user reloads tmux.conf
        got = poll("the status-right after source-file",
                   lambda: server("show-option", "-gv", "status-right").strip(),
                   lambda s: "claude_usage" not in s, 5)
        assert got == f"{CALL} | %H:%M", got
        hooks = server("show-hooks", "-g")
        assert hooks.count("--rewrite") == 2, hooks  # after-set-option and session-created, once each
    finally:
        server.kill()


def test_status_set_after_the_plugin_shows_the_segment(warm, servers) -> None:  # noqa: F811
    """A theme that sets status-right after our plugin ran: the hook rewrites it, the bar shows it."""
    inner = start_inner(servers)
    inner("run-shell", str(REPO / "claude-usage-line.tmux"))
    inner("set-option", "-g", "status-left", "L #{claude_usage} ")
    inner("set-option", "-g", "status-left-length", "60")
    inner("set-option", "-g", "status-right", "theme | #{claude_usage} |end")
    right = poll("status-right rewritten", lambda: inner("show-option", "-gv", "status-right").strip(),
                 lambda s: "claude_usage" not in s, 5)
    assert right == f"theme | {CALL} |end"
    assert inner("show-option", "-gv", "status-left").rstrip("\n") == f"L {CALL} "
    inner("set-option", "-g", "status-right", "mine, no placeholder")  # left alone
    assert inner("show-option", "-gv", "status-right").strip() == "mine, no placeholder"
    inner("set-option", "-g", "status-right", "theme | #{claude_usage} |end")
    outer = attach_from_outer(servers, inner)
    shown = poll("the segment", lambda: visible(bar(outer)), lambda s: "7d 41%" in s and "|end" in s)
    print("bar with status-right set after the plugin:", shown.strip())
    assert shown.count("5h 78%") == 2  # once on the left, once on the right
