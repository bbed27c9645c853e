"""claude-usage with stdout closed (``>&-``) or on a full disk (/dev/full): one line on stderr,
exit status non-zero, no traceback (issue 17, #14)."""

from __future__ import annotations

import os
import subprocess

import pytest
from helpers import CLI


@pytest.mark.parametrize("args", [[], ["--json"], ["history"], ["history", "--csv"]])
@pytest.mark.parametrize("how", ["closed", "full"])
def test_no_traceback_when_stdout_cannot_be_written(warm, args: list[str], how: str) -> None:
    if how == "full" and not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    if how == "closed":
        r = subprocess.run(["sh", "-c", '"$@" >&-', "sh", CLI, *args], capture_output=True, text=True, timeout=60)
    else:
        with open("/dev/full", "w") as full:
            r = subprocess.run([CLI, *args], stdout=full, stderr=subprocess.PIPE, text=True, timeout=60)
    assert r.returncode != 0
    assert "Traceback" not in r.stderr and "Exception ignored" not in r.stderr, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("claude-usage: "), r.stderr
