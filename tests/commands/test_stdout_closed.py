"""claude-usage with stdout closed (``>&-``) or on a full disk (/dev/full): one line on stderr,
exit status non-zero, no traceback (issue 17, #14)."""

from __future__ import annotations

import errno
import os
import subprocess
import sys

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


@pytest.mark.parametrize("errno_", [errno.ENOSPC, errno.EIO])
def test_a_full_disk_under_a_file_is_not_called_the_output(monkeypatch, capsys, errno_: int) -> None:
    """A full disk (or EIO) under a file we write, stdout fine: one line naming that file and
    the reason, never "cannot write the output"; exit status 1."""
    from statusline.commands import cli

    def full(argv: list[str] | None = None) -> int:
        print("half a panel")  # stdout works
        raise OSError(errno_, os.strerror(errno_), "/cache/account/snapshot.json.tmp")

    monkeypatch.setattr(cli, "_main", full)
    assert cli.main([]) == 1
    got = capsys.readouterr()
    assert got.out == "half a panel\n"
    assert got.err == f"claude-usage: cannot write /cache/account/snapshot.json.tmp: {os.strerror(errno_)}\n"


def test_a_failing_stdout_is_called_the_output(monkeypatch) -> None:
    """The same errno from writing stdout itself is "cannot write the output" (in-process: a
    stdout whose writes fail; the real closed and full stdout are the cases above)."""
    import io

    from statusline.commands import cli

    class Full(io.StringIO):
        def write(self, text: str) -> int:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    said: list[str] = []
    monkeypatch.setattr(sys, "stdout", Full())
    monkeypatch.setattr(cli, "_stdout_gone", lambda exc: said.append(exc.strerror))  # keeps pytest's fd 1
    monkeypatch.setattr(cli, "_main", lambda argv=None: print("x") or 0)
    assert cli.main([]) == 1
    assert said == [os.strerror(errno.ENOSPC)]
