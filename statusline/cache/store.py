"""The cache on disk: one directory per account, written atomically, readable at any moment.

Files in an account directory (all 0600, the directory 0700):
- ``snapshot.json``  the full Snapshot (schema 1), the documented contract for the panel,
  doctor and ``--format json``;
- ``line.bin``       a marshal'd dict of plain values, the line view (see ``lineview``), so the
  hot path needs neither ``json`` nor ``datetime``;
- ``fetch.lock``     the fetcher's lock (filelock), ``fetch.owner`` who holds it;
- ``spawn.stamp``    when a line last started a fetcher (debounces bursts of prompts);
- ``harvest.bin``    rate limits harvested from Claude Code's statusLine input.

Writers use a temp file and ``os.replace`` so a reader sees the old file or the new one,
never half of one. A corrupt file is moved aside (``*.corrupt``) and treated as missing.
The rules for creating, trusting, reading and writing these files (modes, ownership,
``O_NOFOLLOW``, temp-file cleanup, the harvest's lock) live in ``safefiles``, which the hot
path can import too.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from statusline.cache import fastpaths, safefiles
from statusline.core.model import Snapshot

SNAPSHOT = "snapshot.json"
LINE_VIEW = "line.bin"
LOCK = "fetch.lock"
OWNER = "fetch.owner"
SPAWN_STAMP = "spawn.stamp"
HARVEST = "harvest.bin"
LOG = "fetcher.log"
LOG_READ_LIMIT = 16 << 20  # the fetcher log is trimmed to 64 KiB; a crash loop between trims stays far below this
# files at fixed names: anything but a regular file there (a directory, a link) is cleared
FIXED_FILES = (SNAPSHOT, LINE_VIEW, LOCK, OWNER, SPAWN_STAMP, HARVEST, HARVEST + ".lock", LOG, "sessions.bin")


SNAPSHOT_LIMIT = 8 << 20  # a real snapshot is a few KiB (Console history: ~100 KiB)


class CacheError(OSError):
    """The cache directory cannot be created, written or trusted; the message says why."""


def ensure_dir(path: Path) -> Path:
    """Create the account directory 0700 (and missing parents, each 0700) and check it is safe.

    Only what we create gets a mode; a directory the user named is never chmod'ed. A
    directory owned by someone else, or a holder writable by others without the sticky bit,
    is refused (``safefiles.trust_problem``). Stale temp files of killed writers are swept, and
    a fixed name holding something other than a regular file (a ``fetch.lock`` directory, a
    planted link) is cleared.
    """
    try:
        safefiles.prepare_dir(str(path))
    except safefiles.UnsafeDir as exc:
        raise CacheError(str(exc)) from exc
    except OSError as exc:
        raise CacheError(f"cannot use cache dir {path}: {exc.strerror or exc}") from exc
    safefiles.sweep_temps(str(path))
    safefiles.repair(str(path), FIXED_FILES)
    return path


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a 0600 temp file beside it and an atomic rename.

    Never follows a link planted at ``path``; the temp file is removed on any error, and the
    error is raised as a ``CacheError`` naming the file and the cause (a full disk, a
    read-only file system), so callers print one sentence, not a traceback.
    """
    try:
        safefiles.write_atomic(str(path), data)
    except CacheError:
        raise
    except OSError as exc:
        raise CacheError(f"cannot write {path}: {exc.strerror or exc}") from exc


def read_file(path: Path, limit: int = SNAPSHOT_LIMIT) -> bytes:
    """A cache file's bytes through the one opener for ours (``safefiles.read_own``: a regular
    file we own, no links, FIFOs or devices, at most ``limit``); OSError otherwise. The panel,
    ``--json``, ``--all``, ``check`` and doctor read the snapshot here: a snapshot planted by
    another user in a shared root must reach none of them."""
    return safefiles.read_own(str(path), limit)


def writable_problem(account_dir: Path) -> str | None:
    """Why the cache cannot take a write right now, as one sentence for doctor, or None.

    Checks trust (``safefiles.trust_problem``) and then really writes a 4 KiB probe (an empty
    file can still be created on a full disk), so a full disk or a read-only file system is
    named; nothing is left behind.
    """
    holder = account_dir.parent
    if holder.is_dir():
        problem = safefiles.trust_problem(str(account_dir))
        if problem:
            return problem
    where = account_dir if account_dir.is_dir() else holder
    if not where.is_dir():
        return None  # created by the first fetch
    probe = where / ".doctor-probe"
    try:
        safefiles.write_atomic(str(probe), b"\0" * 4096, sync=False)
        probe.unlink()
    except OSError as exc:
        return f"cannot write in {where}: {exc.strerror or exc}"
    return None


def _quarantine(path: Path) -> None:
    try:
        os.replace(path, path.with_name(path.name + ".corrupt"))
    except OSError:
        pass


def load_snapshot(account_dir: Path) -> tuple[Snapshot | None, str | None]:
    """(snapshot, problem). Missing -> (None, None); corrupt -> (None, message), file kept aside."""
    path = account_dir / SNAPSHOT
    try:
        raw = read_file(path)
    except (FileNotFoundError, NotADirectoryError):
        return None, None
    except OSError as exc:
        return None, f"cannot read {path}: {exc.strerror or exc}"
    try:
        data = json.loads(raw)
        if not isinstance(data, dict):
            raise ValueError("not an object")
        return Snapshot.from_dict(data), None
    except Exception:  # noqa: BLE001 - our own file, but bytes on a disk: any garbage is "corrupt"
        _quarantine(path)
        return None, f"cache file {path} was corrupt; moved to {path.name}.corrupt and rebuilt"


def save_snapshot(account_dir: Path, snapshot: Snapshot, view: dict[str, Any]) -> None:
    """Write the full snapshot, then the line view derived from it."""
    ensure_dir(account_dir)
    body = json.dumps(snapshot.to_dict(), indent=1, sort_keys=True).encode()
    try:
        atomic_write(account_dir / SNAPSHOT, body)
        atomic_write(account_dir / LINE_VIEW, safefiles.dumps_marshal(view))
    except CacheError:
        _hold_fetchers(account_dir, snapshot, view)
        raise


def _hold_fetchers(account_dir: Path, snapshot: Snapshot, view: dict[str, Any]) -> None:
    """After a save failed, keep lines from starting fetchers that would ask the API again:
    until the backoff ends, or for the TTL after a success (``spawn.hold``, an hour at most)."""
    import time

    from statusline.cache import spawn

    now = time.time()
    ttl = view.get("ttl")
    until = now + (float(ttl) if isinstance(ttl, (int, float)) and not isinstance(ttl, bool) else 30.0)
    backoff = snapshot.backoff
    if backoff is not None:
        until = max(until, backoff.until.timestamp() if backoff.until else now + 600.0)
    spawn.hold(str(account_dir), until, now)


def read_owner(account_dir: Path) -> dict[str, Any] | None:
    """``fetch.owner`` as written by the fetcher holding the lock (``pid``, ``since``), or None."""
    try:
        data = json.loads(read_file(account_dir / OWNER, 4096))
    except (OSError, ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def pid_alive(pid: Any) -> bool:
    """Whether a process with this pid exists (a lock holder killed with -9 does not)."""
    if isinstance(pid, bool) or not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except PermissionError:
        return True  # it exists; it belongs to someone else
    except (OSError, OverflowError):
        return False
    return True


def lock_holder(account_dir: Path) -> tuple[int | None, float | None, bool]:
    """(pid, since, alive) of the fetcher named in ``fetch.owner``; (None, None, False) when free.

    A holder that is not alive left a stale owner file behind (kill -9): the lock itself was
    released with its process, so doctor should call it "stale", not "held".
    """
    owner = read_owner(account_dir) or {}
    pid = owner.get("pid")
    since = owner.get("since")
    pid = pid if isinstance(pid, int) and not isinstance(pid, bool) else None
    since_f = float(since) if isinstance(since, (int, float)) and not isinstance(since, bool) else None
    if pid is None:
        return None, None, False
    return pid, since_f, pid_alive(pid)


def account_key(snap: Snapshot) -> str | None:
    """Which account the snapshot holds, as a short key (a hash: names files, reveals nothing):
    Code mode by the OAuth account's uuid, Console mode by the organization and the email."""
    if snap.mode == "console":
        c = snap.console or {}
        email = c.get("email")
        if not isinstance(email, str) or not email:
            return None
        org = c.get("organization") if isinstance(c.get("organization"), str) else ""
        return "c" + fastpaths.fnv1a64(f"{org}\n{email.strip().lower()}")
    if snap.account:
        return "u" + fastpaths.fnv1a64(snap.account)
    return None


ACCOUNT_DIR_MODES = ("auto", "code", "console")


def every_account(cache_root: Path) -> list[tuple[Path, Snapshot]]:
    """Every account this user's cache holds, from the cache only (no credentials read, no
    call): one (account dir, snapshot) per account, the freshest where two config dirs or two
    modes hold the same one; accounts not yet known are one per dir. Freshest first."""
    try:
        names = sorted(os.listdir(cache_root))
    except OSError:
        return []
    best: dict[str, tuple[Path, Snapshot]] = {}
    for name in names:
        mode, _, tail = name.partition("-")
        if mode not in ACCOUNT_DIR_MODES or len(tail) != 16 or not all(c in "0123456789abcdef" for c in tail):
            continue
        acct = cache_root / name
        snap, _problem = load_snapshot(acct)
        if snap is None or (snap.usage is None and snap.console is None):
            continue  # nothing was ever fetched here: no account to show
        key = account_key(snap) or str(acct)
        held = best.get(key)
        if held is None or _fetched(snap) > _fetched(held[1]):
            best[key] = (acct, snap)
    return sorted(best.values(), key=lambda pair: -_fetched(pair[1]))


def _fetched(snap: Snapshot) -> float:
    at = snap.data_fetched_at()
    return at.timestamp() if at is not None else 0.0
