"""A session-wide guard: no test writes outside its temp folders, and none touches the real ones.

Two layers, because a test writes both from its own process and from the programs it starts:

- **The outer environment is a decoy.** Before any test runs, ``HOME`` and every ``XDG_*``
  base directory of the pytest process (and so of every worker and child it starts) point into
  a fresh folder of the guard's (``decoy``); the real values are kept in ``REAL``. A test that
  forgets to isolate something writes into the decoy, never into the user's own folders, and
  the check after each test fails it, naming what appeared there.
- **Writes from the test process itself** are seen by an audit hook (``sys.addaudithook``:
  ``open`` for writing, ``os.mkdir``, ``os.rename``, ``os.remove``...). One outside the
  test's ``tmp_path``, the session's temp root and a few known places (``__pycache__``, the
  tmux socket folder, ``/dev/null``) fails the test with the path.

``isolated_env`` (conftest) then gives each test its own ``HOME`` and clears every ``XDG_*``,
``CLAUDE_*`` and ``ANTHROPIC_*`` variable.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pytest

DECOY_ENV = "PYTEST_CLAUDE_USAGE_DECOY"  # set once in the first process; workers inherit it
REAL_HOME_ENV = "PYTEST_CLAUDE_USAGE_REAL_HOME"
KEPT = "hypothesis"  # the one folder of the decoy that may fill
XDG_BASES = ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME")
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
REPO = Path(__file__).resolve().parents[1]

_allowed: list[str] = []  # folder prefixes the current test may write into
_seen: list[str] = []  # writes outside them, during the current test
_active = False


def decoy() -> Path:
    return Path(os.environ[DECOY_ENV])


def real_home() -> str:
    """The user's real home folder (never written by a test; the guard checks it is not)."""
    return os.environ.get(REAL_HOME_ENV) or os.path.expanduser("~")


def _install_decoy() -> None:
    """A decoy of this process's own (each xdist worker makes one), so what appears in it is
    this process's doing: a test's, or a fixture's that the next test to finish is failed for."""
    if not os.environ.get(REAL_HOME_ENV):
        os.environ[REAL_HOME_ENV] = os.environ.get("HOME") or os.path.expanduser("~")
    root = Path(tempfile.mkdtemp(prefix="claude-usage-decoy-"))
    os.environ[DECOY_ENV] = str(root)
    os.environ["HYPOTHESIS_STORAGE_DIRECTORY"] = str(root / KEPT)  # Hypothesis' own scratch files
    os.environ["HOME"] = str(root / "home")
    for name in XDG_BASES:
        os.environ[name] = str(root / name.lower())
    (root / "home").mkdir()


def decoy_listing() -> list[str]:
    """Everything in the decoy, as paths relative to it (empty folders included)."""
    root = decoy()
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            rel = os.path.relpath(os.path.join(dirpath, name), root)
            if rel != "home" and rel.split(os.sep)[0] != KEPT:
                found.append(rel)
    return sorted(found)


def _path_of(arg: object) -> str | None:
    if isinstance(arg, int):
        return None  # a descriptor: its path was judged when it was opened
    try:
        return os.path.abspath(os.fsdecode(arg))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


# Each event's written path arguments (positions) and where its dir_fd arguments are: a path
# relative to a descriptor (shutil.rmtree's walk) was judged with the root it started from.
_EVENTS = {"os.mkdir": ((0,), (2,)), "os.remove": ((0,), (1,)), "os.rmdir": ((0,), (1,)),
           "os.symlink": ((1,), (2,)), "os.link": ((1,), (2, 3)), "os.truncate": ((0,), ()),
           "os.chmod": ((0,), (2,)), "os.utime": ((0,), (3,)), "shutil.rmtree": ((0,), (1,)),
           "os.rename": ((0, 1), (2, 3)), "shutil.move": ((0, 1), ()), "shutil.copyfile": ((1,), ())}


def _writing(event: str, args: tuple) -> list[str]:
    """The paths an audited event writes to (none for reads)."""
    if event == "open":
        path, mode, flags = (list(args) + [None, None, None])[:3]
        writes = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
            isinstance(flags, int) and flags & WRITE_FLAGS)
        return [p for p in [_path_of(path)] if p] if writes else []
    spec = _EVENTS.get(event)
    if spec is None:
        return []
    where, fds = spec
    if any(i < len(args) and args[i] not in (None, -1) for i in fds):
        return []  # relative to a descriptor already judged
    return [p for p in (_path_of(args[i]) for i in where if i < len(args)) if p]


def public_dir(prefix: str = "cu") -> Path:
    """A fresh folder in /tmp, reachable by other users (pytest's own temp root is 0700), that
    the current test may write into; the test removes it when done."""
    global _active
    was, _active = _active, False  # its own mkdir is the guard's doing
    try:
        path = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    finally:
        _active = was
    _allowed.append(str(path))
    return path


def _hook(event: str, args: tuple) -> None:
    if not _active or not event.startswith(("open", "os.", "shutil.")) or event == "open" and not args:
        return
    for path in _writing(event, args):
        if path.startswith("/dev/") or "/__pycache__/" in path + "/" or path.endswith(".pyc"):
            continue
        if not any(path == a or path.startswith(a.rstrip("/") + "/") for a in _allowed):
            _seen.append(f"{event} {path}")


def pytest_configure(config: pytest.Config) -> None:
    _install_decoy()
    # Imported here, before any test is guarded: filelock (3.20 and later) probes hard links in a
    # fresh tempfile folder at import time, which is its own doing, not a test's.
    import filelock  # noqa: F401
    sys.addaudithook(_hook)


@pytest.fixture(autouse=True)
def write_guard(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory):
    """Fails the test when it wrote outside its temp folders (see the module's docstring)."""
    global _active
    tmux = os.path.join(os.environ.get("TMUX_TMPDIR") or "/tmp", f"tmux-{os.getuid()}")
    _allowed[:] = [str(tmp_path), str(tmp_path_factory.getbasetemp()), tmux, str(decoy() / KEPT)]
    _seen.clear()
    _active = True
    yield
    _active = False
    seen, _seen[:] = list(_seen), []
    appeared = decoy_listing()
    if appeared or seen:
        what = [f"  written into the decoy of the real HOME/XDG folders: {p}" for p in appeared[:20]]
        what += [f"  written by the test process outside its temp folders: {p}" for p in seen[:20]]
        _empty_decoy()  # the next test starts from a clean decoy
        pytest.fail("the test wrote outside its temp folders:\n" + "\n".join(what), pytrace=False)


def _empty_decoy() -> None:
    import shutil

    root = decoy()
    for name in os.listdir(root):
        if name not in ("home", KEPT):
            shutil.rmtree(root / name, ignore_errors=True)
    for name in os.listdir(root / "home"):
        target = root / "home" / name
        shutil.rmtree(target, ignore_errors=True) if target.is_dir() and not target.is_symlink() else target.unlink()


def pytest_unconfigure(config: pytest.Config) -> None:
    import shutil

    root = os.environ.get(DECOY_ENV)
    if root and os.path.isdir(root):
        shutil.rmtree(root, ignore_errors=True)
