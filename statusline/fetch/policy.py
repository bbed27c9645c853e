"""When the fetcher may call the API: TTLs and backoff, as pure functions of time.

- 429: wait at least ``Retry-After`` (a minute when it is missing or 0), doubling on
  repeats, never more than an hour (``budget.retry_wait``; the usage API's spacing is learned
  in ``budget``); retrying inside the window only prolongs the block.
- 401 / 403 / expired token: wait until the credentials file changes (Claude Code
  refreshed or the user logged in again); where there is no file to watch (Keychain),
  retry hourly.
- 5xx, timeouts, bad bodies: exponential from 30 s to 10 minutes.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import datetime, timedelta

from statusline.cache import config
from statusline.core.model import AUTH_KINDS, Backoff, ErrorKind, Snapshot, utc
from statusline.fetch.budget import RATE_LIMIT_MAX, retry_wait

USAGE_TTL = 30.0
CONSOLE_TTL = 300.0
PROFILE_TTL = 3600.0
MIN_TTL = 5.0

MAX_WAIT = RATE_LIMIT_MAX  # no backoff of ours lasts longer than an hour
ERROR_MIN = 30.0
ERROR_MAX = 600.0
AUTH_RETRY_NO_FILE = 3600.0
LOCAL_EXPIRY_RECHECK = 60.0  # an expiry we judged by our own clock is judged again this soon

def _env_seconds(env: Mapping[str, str], key: str, default: float) -> float:
    """The variable's seconds within the hot path's bounds (``cache_view.ttl_seconds``: one rule),
    else ``default`` (unset, not a number, NaN or infinite)."""
    from statusline.cache.cache_view import ttl_seconds

    got = ttl_seconds(env.get(key))
    return default if got is None else got


def ttls(env: Mapping[str, str] | None = None, settings: config.Settings | None = None) -> dict[str, float]:
    """TTLs in seconds: ``CLAUDE_USAGE_TTL``, ``…_CONSOLE_TTL``, ``…_PROFILE_TTL`` win, then
    ``config.toml`` (``ttl``, ``console_ttl``, ``profile_ttl``; ``settings`` when the caller
    has loaded it already), then the defaults."""
    env = os.environ if env is None else env
    s = config.load(env=env) if settings is None else settings
    return {
        "code": _env_seconds(env, "CLAUDE_USAGE_TTL", s.ttl),
        "console": _env_seconds(env, "CLAUDE_USAGE_CONSOLE_TTL", s.console_ttl),
        "profile": _env_seconds(env, "CLAUDE_USAGE_PROFILE_TTL", s.profile_ttl),
    }


def next_backoff(
    previous: Backoff | None,
    kind: ErrorKind,
    now: datetime,
    retry_after: float | None = None,
    cred_sig: str | None = None,
) -> Backoff:
    """The backoff after a failure of ``kind``; repeats of the same kind escalate."""
    failures = previous.failures + 1 if previous and previous.kind == kind else 1
    if kind in AUTH_KINDS:
        until = None if cred_sig else now + timedelta(seconds=AUTH_RETRY_NO_FILE)
        return Backoff(kind=kind, failures=failures, until=until, cred_sig=cred_sig)
    if kind == "rate_limited":
        wait = retry_wait(retry_after, failures)
    else:
        wait = min(ERROR_MIN * 2 ** min(failures - 1, 10), ERROR_MAX)
    return Backoff(kind=kind, failures=failures, until=now + timedelta(seconds=wait))


def local_expiry(previous: Backoff | None, now: datetime) -> Backoff:
    """The backoff after finding the token expired by our own clock (no request was made)."""
    failures = previous.failures + 1 if previous and previous.kind == "auth_expired" else 1
    return Backoff(kind="auth_expired", failures=failures, until=now + timedelta(seconds=LOCAL_EXPIRY_RECHECK))


def blocked(backoff: Backoff | None, now: datetime, cred_sig: str | None) -> bool:
    """True while a backoff forbids calling the API."""
    if backoff is None:
        return False
    if backoff.kind in AUTH_KINDS and backoff.cred_sig is not None:
        return cred_sig == backoff.cred_sig
    # A wait further ahead than any we set (a clock that jumped back, a corrupt file) is over.
    return backoff.until is not None and now < backoff.until <= now + timedelta(seconds=MAX_WAIT)


def is_fresh(fetched_at: datetime | None, ttl: float, now: datetime) -> bool:
    """Fresh means fetched less than ``ttl`` ago (and not in the future beyond clock skew)."""
    if fetched_at is None:
        return False
    age = (now - fetched_at).total_seconds()
    return -ttl < age < ttl


def due(snapshot: Snapshot | None, mode: str, ttl: dict[str, float], now: datetime) -> bool:
    if snapshot is None:
        return True
    fetched = snapshot.console_fetched_at if mode == "console" else snapshot.usage_fetched_at
    return not is_fresh(fetched, ttl[mode], now)



__all__ = ["ttls", "next_backoff", "blocked", "is_fresh", "due", "utc"]
