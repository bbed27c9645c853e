"""What every mode and process of one login shares: one lock for the usage API, one budget,
and the last answer the API gave.

The usage endpoint's limit is per token, so ``auto`` and ``code`` (two cache dirs of one login)
must make one stream of calls: each fetcher takes this pool's lock around the call, reuses an
answer another one just got, and obeys the budget (``budget``) the pool keeps. The pool lives
beside the account dirs: ``<cache root>/oauth-<hash of the Claude config dir>/``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from statusline.cache import fastpaths, safefiles, store
from statusline.cache.paths import Paths
from statusline.core import clean
from statusline.core.model import Usage
from statusline.fetch.budget import Budget

BUDGET = "budget.json"
LOCK = "api.lock"


@dataclass(frozen=True)
class Shared:
    budget: Budget = Budget()
    usage: Usage | None = None  # the last usage the API answered, parsed
    usage_at: float | None = None
    token_fp: str | None = None  # which token got it (a fingerprint, never the token)


def directory(paths: Paths, account: str | None = None) -> Path:
    """The login's pool: per config dir, and per account (``account`` is its short key) once it
    is known, so the spacing learned for one account is never another's."""
    name = "oauth-" + fastpaths.fnv1a64(str(paths.config_dir))
    return paths.cache_root / (name + "-" + account if account else name)


def read(pool: Path) -> Shared:
    """The shared state; a missing or corrupt file is an empty state (nothing is lost but the
    learned spacing, which is learned again)."""
    try:
        data = json.loads(safefiles.read_own(str(pool / BUDGET), 1 << 20))  # ours: no FIFO, no stranger's
    except (OSError, ValueError, RecursionError):
        return Shared()
    if not isinstance(data, dict):
        return Shared()
    fp = data.get("token_fp")
    return Shared(
        budget=Budget.from_dict(data.get("budget")),
        usage=Usage.from_dict(data.get("usage")),
        usage_at=clean.finite(data.get("usage_at"), 1e9, 4102444800.0),
        token_fp=fp if isinstance(fp, str) and len(fp) <= 64 and fp.isalnum() else None,
    )


def write(pool: Path, shared: Shared) -> bool:
    """Save the shared state; False when the disk will not take it (full, read-only): the
    caller goes on, and its own cache write (which holds the line's fetchers) reports it."""
    body = {"budget": shared.budget.to_dict(), "usage": shared.usage.to_dict() if shared.usage else None,
            "usage_at": shared.usage_at, "token_fp": shared.token_fp}
    try:
        store.ensure_dir(pool)
        store.atomic_write(pool / BUDGET, json.dumps(body, indent=1, sort_keys=True, allow_nan=False).encode())
    except OSError:
        return False
    return True


@contextmanager
def locked(pool: Path, timeout: float) -> Iterator[bool]:
    """Hold the pool's API lock, waiting up to ``timeout`` s; yields whether it was had."""
    from filelock import FileLock, Timeout

    try:
        store.ensure_dir(pool)
        lock = FileLock(str(pool / LOCK), timeout=timeout, mode=0o600)
        lock.acquire()
    except Timeout:
        yield False
        return
    except OSError:  # no lock can be had (a full or read-only disk): go on alone
        yield True
        return
    try:
        yield True
    finally:
        lock.release()
