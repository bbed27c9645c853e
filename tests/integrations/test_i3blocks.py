"""``--format i3blocks`` in a real i3blocks: it runs the block's command and writes the i3bar
protocol (JSON) to stdout, so no X server is needed to read what the bar would show.

With a hostile per-model name (a newline, ``|``, polybar's ``%{``), the block still has one
full text, one short text and the colour of the worst level.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from apiserver import Reply, usage_body
from conftest import write_credentials
from helpers import LINE, bin_env, fetch

from statusline.render import bars

pytestmark = [pytest.mark.realprog,
              pytest.mark.skipif(shutil.which("i3blocks") is None, reason="i3blocks is not installed "
                                                                            "(apt-get install i3blocks)")]

HOSTILE = "Op\nus | x %{F#f00}"


def first_status(conf: Path, env: dict[str, str], timeout: float = 15.0) -> list[dict[str, object]]:
    """The first status line that holds our block, read from i3blocks' stdout."""
    proc = subprocess.Popen(["i3blocks", "-c", str(conf)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)
    try:
        assert proc.stdout is not None
        header = json.loads(proc.stdout.readline())
        assert header["version"] == 1
        for raw in proc.stdout:  # the endless array: "[[]" first, then ",[{...}, ...]" per update
            raw = raw.strip()
            if raw == "[[]" or not raw.startswith(",["):
                continue
            blocks = json.loads(raw[1:])
            if any(b.get("name") == "claude" for b in blocks):
                return blocks
        raise AssertionError("i3blocks ended without showing the block")
    finally:
        proc.kill()
        proc.wait(timeout)


def test_block_in_real_i3blocks(api, home: Path, tmp_path: Path) -> None:
    write_credentials(home)
    limits = [{"kind": "weekly_scoped", "group": "weekly", "percent": 91, "severity": "warning", "resets_at": None,
               "scope": {"model": {"id": None, "display_name": HOSTILE}, "surface": None}, "is_active": True}]
    api.set("/api/oauth/usage", Reply(200, usage_body(five=78.0, seven=41.0, limits=limits)))
    assert fetch().returncode == 0
    conf = tmp_path / "i3blocks.conf"
    conf.write_text(f"[claude]\ncommand={LINE} --format i3blocks\ninterval=once\n")
    env = bin_env()
    env["HOME"] = os.environ["HOME"]
    blocks = first_status(conf, env)
    ours = next(b for b in blocks if b.get("name") == "claude")
    print("i3blocks block:", ours)
    assert str(ours["full_text"]).startswith("5h 78%")
    assert "Op us | x % {F#f00}" in str(ours["full_text"])  # the newline a space, no polybar tag
    assert str(ours["short_text"]).startswith("5h 78%") and "7d" not in str(ours["short_text"])
    assert ours["color"] == bars.COLOURS["high"]
