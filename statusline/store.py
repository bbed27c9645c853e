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
"""

from __future__ import annotations

import json
import marshal
import os
import tempfile
from pathlib import Path
from typing import Any

from .model import Snapshot

SNAPSHOT = "snapshot.json"
LINE_VIEW = "line.bin"
LOCK = "fetch.lock"
OWNER = "fetch.owner"
SPAWN_STAMP = "spawn.stamp"
HARVEST = "harvest.bin"
LOG = "fetcher.log"
MARSHAL_VERSION = 4


class CacheError(OSError):
    """The cache directory cannot be created or written."""


def ensure_dir(path: Path) -> Path:
    """Create the directory (and the cache root) 0700; tighten it if it exists looser."""
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        for p in (path, path.parent):
            if p.exists() and (p.stat().st_mode & 0o077):
                p.chmod(0o700)
    except OSError as exc:
        raise CacheError(f"cannot use cache dir {path}: {exc.strerror or exc}") from exc
    return path


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a 0600 temp file in the same dir and an atomic rename."""
    fd, tmp = tempfile.mkstemp(prefix="." + path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _quarantine(path: Path) -> None:
    try:
        os.replace(path, path.with_name(path.name + ".corrupt"))
    except OSError:
        pass


def load_snapshot(account_dir: Path) -> tuple[Snapshot | None, str | None]:
    """(snapshot, problem). Missing -> (None, None); corrupt -> (None, message), file kept aside."""
    path = account_dir / SNAPSHOT
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None, None
    except OSError as exc:
        return None, f"cannot read {path}: {exc.strerror}"
    try:
        data = json.loads(raw)
        if not isinstance(data, dict):
            raise ValueError("not an object")
    except ValueError:
        _quarantine(path)
        return None, f"cache file {path} was corrupt; moved to {path.name}.corrupt and rebuilt"
    return Snapshot.from_dict(data), None


def save_snapshot(account_dir: Path, snapshot: Snapshot, view: dict[str, Any]) -> None:
    """Write the full snapshot, then the line view derived from it."""
    ensure_dir(account_dir)
    body = json.dumps(snapshot.to_dict(), indent=1, sort_keys=True).encode()
    atomic_write(account_dir / SNAPSHOT, body)
    atomic_write(account_dir / LINE_VIEW, marshal.dumps(view, MARSHAL_VERSION))


def read_owner(account_dir: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((account_dir / OWNER).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
