"""The tmux plugin and the fast launch, in real tmux (the servers of test_tmux.py).

tmux runs whatever the plugin writes into the ``#()`` call, every status-interval, through
``/bin/sh``. So the plugin names the fast launch (``~/.local/share/claude-usage/bin/
claude-usage-line``) only when it is ours, in folders of ours, and runs now; and it writes the
call as ``LAUNCH ARGS || FALLBACK ARGS``, so a launcher whose Python goes away later still
prints a line. A relative ``XDG_DATA_HOME`` is ignored (integrations/README.md, "The rule the
shell plugins share").
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from pathlib import Path

import pytest
from helpers import LINE, install_launcher, poll
from test_tmux import PLUGIN, attach_from_outer, bar, load_plugin, servers, start_inner, visible  # noqa: F401

pytestmark = [pytest.mark.realprog,
              pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (apt-get install tmux)")]

ARGS = " --format tmux --glyphs plain --mode auto"
CONSOLE = f"#('{LINE}'{ARGS})"
NOBODY = 65534


def with_fallback(fast: Path) -> str:
    return f"#('{fast}'{ARGS} || '{fast}-fallback'{ARGS})"


def test_a_working_fast_launch_is_named_with_its_fallback(warm, servers) -> None:  # noqa: F811
    fast = install_launcher()
    inner = start_inner(servers)
    status = load_plugin(inner, "#{claude_usage}")
    assert status == with_fallback(fast), status
    outer = attach_from_outer(servers, inner)
    poll("the segment", lambda: visible(bar(outer)), lambda s: "5h 78%" in s)


def test_a_fast_launch_that_cannot_start_is_not_named(warm, servers, tmp_path: Path) -> None:  # noqa: F811
    """Its ``#!`` names a Python that is gone (the venv removed): ``--version`` fails when the
    plugin loads, so the call names the console script, and the bar shows the line."""
    install_launcher(python=str(tmp_path / "gone" / "python"))
    inner = start_inner(servers)
    status = load_plugin(inner, "#{claude_usage}")
    assert status == CONSOLE, status
    outer = attach_from_outer(servers, inner)
    poll("the segment", lambda: visible(bar(outer)), lambda s: "5h 78%" in s)


def test_a_fast_launch_that_dies_after_loading_still_prints_a_line(warm, servers, tmp_path: Path) -> None:  # noqa: F811
    """The launcher runs when the plugin loads; then its Python goes away before the bar is first
    drawn: ``LAUNCH || FALLBACK`` runs the fallback, which finds the console script on tmux's
    PATH, and the segment is there, not blank."""
    python = tmp_path / "py" / "python"
    python.parent.mkdir()
    python.symlink_to(Path(sys.executable))
    fast = install_launcher(python=str(python))
    inner = start_inner(servers)
    status = load_plugin(inner, "#{claude_usage}")
    assert status == with_fallback(fast), status
    python.unlink()  # the venv removed
    outer = attach_from_outer(servers, inner)
    shown = poll("the segment through the fallback", lambda: visible(bar(outer)), lambda s: "5h 78%" in s)
    print("tmux bar, the fast launch's Python gone:", shown.strip())


@pytest.mark.parametrize("theirs", ["the-file", "its-folder", "the-fallback"])
def test_a_fast_launch_not_ours_is_never_run(theirs: str, servers, home: Path, tmp_path: Path) -> None:  # noqa: F811
    """Another user's file at the launcher's path, or in a folder of theirs, is neither named nor
    even asked for its version; another user's fallback is not named either."""
    if os.geteuid() != 0:
        pytest.skip("needs root to give a file to another user")
    fast = install_launcher()
    marker = tmp_path / "ran"
    if theirs != "the-fallback":
        fast.write_text(f"#!/bin/sh\necho ran >> {shlex.quote(str(marker))}\necho 'claude-usage-line 9'\n")
    target = {"the-file": fast, "its-folder": fast.parent, "the-fallback": fast.with_name(fast.name + "-fallback")}
    os.chown(target[theirs], NOBODY, NOBODY)
    inner = start_inner(servers)
    status = load_plugin(inner, "#{claude_usage}")
    if theirs == "the-fallback":  # the launcher is ours and runs: the console script backs it
        assert status == f"#('{fast}'{ARGS} || '{LINE}'{ARGS})", status
    else:
        assert status == CONSOLE and not marker.exists(), status


@pytest.mark.parametrize("absolute", [False, True], ids=["relative", "absolute"])
def test_a_relative_data_home_is_ignored(absolute: bool, servers, home: Path, tmp_path: Path) -> None:  # noqa: F811
    """``XDG_DATA_HOME=rel`` would name ``rel/claude-usage/bin/claude-usage-line`` of whatever
    folder the plugin runs in: ignored. The same folder given as an absolute path is used."""
    where = tmp_path / "work"
    fast = install_launcher({"HOME": str(home), "XDG_DATA_HOME": str(where / "rel")})
    inner = start_inner(servers)
    inner("set-environment", "-g", "XDG_DATA_HOME", str(where / "rel") if absolute else "rel")
    inner("set-option", "-g", "status-right", "#{claude_usage}")
    inner("run-shell", f"cd {shlex.quote(str(where))} && {shlex.quote(str(PLUGIN))}")  # the plugin runs in `where`
    status = inner("show-option", "-gv", "status-right").rstrip("\n")
    assert status == (with_fallback(fast) if absolute else CONSOLE), status
