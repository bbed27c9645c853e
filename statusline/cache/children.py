"""A child process run the way every child of ours must be: bounded in time and in output.

Two children read what a program printed: the Keychain lookup (``security … -w``) and the
user's own status command that ``--chain`` runs beside ours. Both came to harm the same ways:

- **It never stops printing** (``cat /dev/zero``): ``communicate`` kept it all, 6 GB in 15 s.
  Here the output is cut at ``limit`` bytes and the child's group killed.
- **It exits, but a child of its keeps stdout open** (a daemon it started): waiting for EOF
  waited the whole timeout and lost the answer. Here reading stops once the child itself has
  exited and nothing more is waiting in the pipe.
- **It outlives the deadline**: the child runs in a session of its own, and the whole group
  is killed on time, so no grandchild is left behind.

Standard library only; imported only by the option that runs a child.
"""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

POLL_S = 0.01  # how often the child's own exit is looked at while its pipe stays open


@dataclass(frozen=True)
class Finished:
    """How a child ended: its exit status (None when we killed it), what it printed (at most
    the limit), and whether it ran out of time or printed too much."""

    status: int | None
    out: bytes
    timed_out: bool = False
    cut: bool = False


def run(argv: Sequence[str], *, stdin: bytes = b"", timeout: float, limit: int,
        env: Mapping[str, str] | None = None) -> Finished:
    """Run ``argv`` with ``stdin`` and return what it printed to stdout (stderr is dropped).
    Raises ``OSError`` when it cannot be started."""
    proc = subprocess.Popen(list(argv), stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True,
                            env=None if env is None else dict(env))
    assert proc.stdout is not None
    end = time.monotonic() + timeout
    chunks: list[bytes] = []
    size = 0
    pending = memoryview(stdin)
    sel = selectors.DefaultSelector()
    os.set_blocking(proc.stdout.fileno(), False)
    sel.register(proc.stdout, selectors.EVENT_READ)
    if proc.stdin is not None:
        os.set_blocking(proc.stdin.fileno(), False)
        sel.register(proc.stdin, selectors.EVENT_WRITE)
    timed_out = cut = False
    try:
        while True:
            left = end - time.monotonic()
            if left <= 0:
                timed_out = True
                break
            exited = proc.poll() is not None
            events = sel.select(0 if exited else min(left, POLL_S))
            got = False
            for key, _ in events:
                if key.fileobj is proc.stdin:
                    try:
                        pending = pending[os.write(proc.stdin.fileno(), pending):]
                    except (BlockingIOError, InterruptedError):
                        continue
                    except OSError:  # it stopped reading (EPIPE): what it did not take is dropped
                        pending = memoryview(b"")
                    if not pending:
                        sel.unregister(proc.stdin)
                        proc.stdin.close()
                    continue
                try:
                    data = os.read(proc.stdout.fileno(), 65536)
                except (BlockingIOError, InterruptedError):
                    continue
                if not data:
                    sel.unregister(proc.stdout)
                    return Finished(proc.wait(max(0.0, end - time.monotonic())), b"".join(chunks))
                got = True
                chunks.append(data)
                size += len(data)
                if size > limit:
                    cut = True
                    break
            if cut:
                break
            if exited and not got:
                break  # it has exited and nothing more is waiting: a child of its holds the pipe
    except subprocess.TimeoutExpired:
        timed_out = True
    finally:
        sel.close()
        for pipe in (proc.stdin, proc.stdout):
            if pipe is not None:
                try:
                    pipe.close()
                except OSError:
                    pass
    out = b"".join(chunks)[:limit]
    if timed_out or cut:
        _kill_group(proc)
        return Finished(None, out, timed_out, cut)
    return Finished(proc.returncode, out)


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:
        proc.kill()
    try:
        proc.wait(1.0)
    except subprocess.TimeoutExpired:
        pass
