"""The background fetcher: one at a time, refreshes the cache, keeps the last good data.

Started detached by ``claude-usage-line`` (and ``claude-usage --watch``) when the cache is
older than its TTL, or in the foreground by ``claude-usage refresh``. It takes a file lock
without waiting (a busy lock means another fetcher is at work: exit), re-reads the cache under
the lock (it may have just been refreshed), honours any backoff, fetches, and writes.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Literal

from . import api, console, credentials, history, lineview, parse, policy, store
from .line import RATE_WINDOWS, merge_windows, read_view
from .model import ErrorKind, FetchError, Snapshot, Usage, Window, utc
from .paths import Paths, resolve

State = Literal["fetched", "fresh", "busy", "backoff", "failed", "no_credentials"]
Clock = Callable[[], float]


@dataclass(frozen=True)
class Result:
    state: State
    message: str
    snapshot: Snapshot | None = None

    @property
    def ok(self) -> bool:
        return self.state in ("fetched", "fresh")


def run(
    paths: Paths,
    requested_mode: str = "auto",
    *,
    force: bool = False,
    clock: Clock = time.time,
    env: Mapping[str, str] | None = None,
) -> Result:
    """Refresh the cache for one account dir. Never raises for expected trouble."""
    from filelock import FileLock, Timeout

    env = os.environ if env is None else env
    acct = store.ensure_dir(paths.account_dir(requested_mode))
    lock = FileLock(str(acct / store.LOCK), timeout=0, mode=0o600)
    try:
        lock.acquire()
    except Timeout:
        owner = store.read_owner(acct) or {}
        return Result("busy", f"another fetcher is running (pid {owner.get('pid', '?')})")
    try:
        store.atomic_write(acct / store.OWNER, json.dumps({"pid": os.getpid(), "since": clock()}).encode())
        return _run_locked(paths, acct, requested_mode, force, clock, env)
    except Exception as exc:  # a bug must not leave the line waiting forever: record it
        now = utc(clock())
        snap, _ = store.load_snapshot(acct)
        failure = api.Failure("internal_error", api.redact(f"internal error: {type(exc).__name__}: {exc}"))
        snap = _fail(snap or Snapshot(), failure, now, None)
        store.save_snapshot(acct, snap, lineview.build(snap, ttl=policy.ttls(env)["code"], cred_sig=None))
        raise
    finally:
        try:
            (acct / store.OWNER).unlink()
        except OSError:
            pass
        lock.release()


def _fail(snap: Snapshot, failure: api.Failure, now: datetime, cred_sig: str | None) -> Snapshot:
    sig = cred_sig if failure.kind in policy.AUTH_KINDS else None
    return snap.replace(
        last_error=FetchError(failure.kind, failure.message, now, failure.status),
        backoff=policy.next_backoff(snap.backoff, failure.kind, now, failure.retry_after, sig),
        last_attempt_at=now,
    )


def _save(acct: Path, snap: Snapshot, ttl: float, cred_sig: str | None, paths: Paths, now: datetime) -> None:
    snap = snap.replace(pace_maker=_pace_maker(paths, snap, now))
    fc = None
    if snap.mode == "code" and snap.usage_fetched_at is not None:  # history, notifications, forecast
        fc = history.observe(acct, lineview.windows(snap), snap.usage_fetched_at.timestamp(),
                             snap.usage_source or "api", now.timestamp(), os.environ)
    store.save_snapshot(acct, snap, lineview.build(snap, ttl=ttl, cred_sig=cred_sig, forecast=fc))


def _pace_maker(paths: Paths, snap: Snapshot, now: datetime) -> dict | None:
    """Pace Maker's state, read-only, when it is installed (else None)."""
    if not (paths.pace_maker_dir / "config.json").exists():
        return None
    try:
        from . import pacemaker
    except ImportError:  # pragma: no cover - module arrives with the Pace Maker issue
        return None
    usage = snap.usage
    inp = None
    if usage and snap.usage_fetched_at:
        inp = pacemaker.UsageInput(
            fetched_at=snap.usage_fetched_at.timestamp(),
            five_hour_util=usage.five_hour.utilization if usage.five_hour else None,
            five_hour_resets_at=policy.epoch(usage.five_hour.resets_at) if usage.five_hour else None,
            seven_day_util=usage.seven_day.utilization if usage.seven_day else None,
            seven_day_resets_at=policy.epoch(usage.seven_day.resets_at) if usage.seven_day else None,
        )
    return pacemaker.read_pace_maker(paths.pace_maker_dir, now.timestamp(), inp).to_dict()


@dataclass(frozen=True)
class Job:
    """One run's inputs, read once under the lock: where, whose credentials, when."""

    paths: Paths
    acct: Path
    creds: credentials.Credentials
    force: bool
    now: datetime
    ttls: dict[str, float]
    env: Mapping[str, str]


def _stop(job: Job, snap: Snapshot, kind: ErrorKind, detail: str, ttl: float) -> Result:
    """Record a problem no request can fix (no credentials, no email) and stop."""
    snap = snap.replace(last_error=FetchError(kind, detail, job.now), backoff=None, last_attempt_at=job.now)
    _save(job.acct, snap, ttl, job.creds.cred_sig, job.paths, job.now)
    return Result("no_credentials" if kind == "no_credentials" else "failed", detail, snap)


def _run_locked(
    paths: Paths, acct: Path, requested: str, force: bool, clock: Clock, env: Mapping[str, str]
) -> Result:
    now = utc(clock())
    snap, _problem = store.load_snapshot(acct)
    snap = snap or Snapshot()
    creds = credentials.load(paths, env)
    mode = credentials.resolve_mode(requested, creds)
    ttls = policy.ttls(env)
    job = Job(paths, acct, creds, force, now, ttls, env)

    if mode is None:
        where = str(paths.credentials_file)
        detail = "; ".join(creds.problems) or f"no Claude Code login in {where} and no Admin API key"
        return _stop(job, snap, "no_credentials", detail, ttls["code"])

    if snap.mode is not None and snap.mode != mode:
        snap = Snapshot()  # the mode changed: nothing of the old one applies
    snap = snap.replace(mode=mode)

    return _run_console(job, snap) if mode == "console" else _run_code(job, snap)


def _run_code(job: Job, snap: Snapshot) -> Result:
    """Code mode: the usage windows (or harvested ones) and, hourly, the profile."""
    paths, acct, creds, force, now, ttls, env = job.paths, job.acct, job.creds, job.force, job.now, job.ttls, job.env
    ttl = ttls["code"]
    oauth = creds.oauth
    if oauth is None:
        detail = "; ".join(creds.problems) or (
            f"no Claude Code login found in {paths.credentials_file}: run `claude` and log in"
        )
        return _stop(job, snap, "no_credentials", detail, ttl)

    local = credentials.local_account(paths)
    identity = local.get("account_uuid")
    if snap.account and identity and snap.account != identity:
        snap = Snapshot(mode="code")  # another account logged in here: never mix their numbers

    if not force and policy.blocked(snap.backoff, now, creds.cred_sig):
        return Result("backoff", _backoff_text(snap, now), snap)

    if oauth.expired(now):
        exp = oauth.expires_at.isoformat() if oauth.expires_at else "?"
        failure = api.Failure("auth_expired", f"login expired at {exp}: run `claude` to refresh it")
        snap = _fail(snap, failure, now, creds.cred_sig)
        _save(acct, snap, ttl, creds.cred_sig, paths, now)
        return Result("failed", failure.message, snap)

    snap = _apply_harvest(acct, snap, ttl, now)
    usage_fresh = policy.is_fresh(snap.usage_fetched_at, ttl, now)
    # A new token may be a new login: refetch the profile with the usage, never keep another's.
    token_fp = oauth.fingerprint()
    token_changed = snap.token_fp is not None and snap.token_fp != token_fp
    profile_fresh = policy.is_fresh(snap.profile_fetched_at, ttls["profile"], now) and not token_changed
    if not force and usage_fresh and profile_fresh:
        # Nothing to ask the API; still record the run (harvested numbers, Pace Maker).
        snap = snap.replace(last_attempt_at=now)
        _save(acct, snap, ttl, creds.cred_sig, paths, now)
        return Result("fresh", "cache is fresh", snap)

    client = api.Client(env)
    if force or not usage_fresh:
        outcome = client.usage(oauth.access_token)
        if isinstance(outcome, api.Ok):
            try:
                usage = parse.usage(outcome.body)
            except parse.BadBody as exc:
                outcome = api.Failure("bad_response", str(exc), outcome.status)
            else:
                snap = snap.replace(
                    usage=usage, usage_fetched_at=now, usage_source="api",
                    last_error=None, backoff=None, last_attempt_at=now,
                )
        if isinstance(outcome, api.Failure):
            snap = _fail(snap, outcome, now, creds.cred_sig)
            _save(acct, snap, ttl, creds.cred_sig, paths, now)
            return Result("failed", outcome.message, snap)

    if force or not profile_fresh:
        pout = client.profile(oauth.access_token)
        if isinstance(pout, api.Ok):
            try:
                prof = parse.profile(pout.body, oauth.rate_limit_tier)
                snap = snap.replace(profile=prof, profile_fetched_at=now)
            except parse.BadBody:
                pass  # keep the old profile; it changes rarely
        elif pout.kind == "rate_limited":
            snap = _fail(snap, pout, now, None)

    account = identity or (snap.profile.account_uuid if snap.profile else None) or snap.account
    snap = snap.replace(account=account, token_fp=token_fp)
    _save(acct, snap, ttl, creds.cred_sig, paths, now)
    return Result("fetched", "usage updated", snap)


def _apply_harvest(acct: Path, snap: Snapshot, ttl: float, now: datetime) -> Snapshot:
    """Fold in rate limits harvested from Claude Code's statusLine input when they are fresh.

    They cost no API call and are at least as fresh as ours, so while they keep coming the
    API is hardly called at all (the profile still refreshes hourly).
    """
    harvest = read_view(str(acct / store.HARVEST))
    if not harvest or not isinstance(harvest.get("fetched"), (int, float)):
        return snap
    at = utc(float(harvest["fetched"]))
    if not policy.is_fresh(at, ttl, now) or (snap.usage_fetched_at and snap.usage_fetched_at >= at):
        return snap
    readings = [tuple(w) for w in harvest.get("windows") or () if _is_reading(w)]
    usage = snap.usage or Usage()
    windows: dict[str, Window] = {}
    for key, _name, util, resets in merge_windows(lineview.windows(snap), readings):
        if any(r[0] == key for r in readings):  # untouched windows keep their exact values
            windows[key] = Window(utilization=float(util), resets_at=utc(resets) if resets is not None else None)
    usage = replace(usage, five_hour=windows.get("five_hour", usage.five_hour),
                    seven_day=windows.get("seven_day", usage.seven_day))
    return snap.replace(usage=usage, usage_fetched_at=at, usage_source="claude-code")


def _is_reading(w: object) -> bool:
    """A well-formed ``(key, name, utilization, resets)`` rate-window reading from the harvest file."""
    if not isinstance(w, (tuple, list)) or len(w) != 4 or w[0] not in RATE_WINDOWS:
        return False
    util, resets = w[2], w[3]
    number = (int, float)
    return (isinstance(util, number) and not isinstance(util, bool)
            and (resets is None or (isinstance(resets, number) and not isinstance(resets, bool))))


def _run_console(job: Job, snap: Snapshot) -> Result:
    """Console mode: the current user's month-to-date Claude Code cost."""
    paths, acct, creds, force, now, ttls, env = job.paths, job.acct, job.creds, job.force, job.now, job.ttls, job.env
    ttl = ttls["console"]
    key = creds.admin_key
    if not key:
        detail = "no Admin API key: set ANTHROPIC_ADMIN_API_KEY"
        return _stop(job, snap, "no_credentials", detail, ttl)

    email, where = console.current_email(paths, env, snap.profile.email if snap.profile else None)
    if email is None:
        detail = ("no user email for Console mode: set CLAUDE_USAGE_EMAIL=you@example.com "
                  f"(or log in with `claude` so {paths.claude_json} names you)")
        return _stop(job, snap, "no_email", detail, ttl)
    if snap.console is not None and not console.same_email(snap.console.get("email"), email):
        # never show another person's costs
        snap = snap.replace(console=None, console_fetched_at=None)

    if not force and policy.blocked(snap.backoff, now, creds.cred_sig):
        return Result("backoff", _backoff_text(snap, now), snap)
    if not force and policy.is_fresh(snap.console_fetched_at, ttl, now):
        return Result("fresh", "cache is fresh", snap)

    previous = console.continue_from(snap.console, snap.extra.get("console_pending"), email, now)
    got = console.refresh(api.Client(env), key, email, previous, now)
    extra = {k: v for k, v in snap.extra.items() if k != "console_pending"}
    if got.pending is not None:
        extra["console_pending"] = got.pending  # days fetched before a failure, no total yet
    if got.failure is None:
        snap = snap.replace(console=got.console, console_fetched_at=now, extra=extra,
                            last_error=None, backoff=None, last_attempt_at=now)
        _save(acct, snap, ttl, creds.cred_sig, paths, now)
        text = f"console costs updated for {email} (from {where}; {got.requests} requests)"
        return Result("fetched", text, snap)

    snap = snap.replace(console=got.console if got.console is not None else snap.console, extra=extra)
    # A key from the environment cannot be watched through the credentials file: retry by time.
    sig = None if creds.admin_source == "ANTHROPIC_ADMIN_API_KEY" else creds.cred_sig
    snap = _fail(snap, got.failure, now, sig)
    _save(acct, snap, ttl, creds.cred_sig, paths, now)
    return Result("failed", got.failure.message, snap)


def _backoff_text(snap: Snapshot, now: datetime) -> str:
    b = snap.backoff
    if b is None:
        return ""
    if b.until is None:
        return f"waiting for new credentials after {b.kind} (run `claude` to log in)"
    left = max(0, int((b.until - now).total_seconds()))
    return f"backing off after {b.kind} for {left}s more (until {b.until.astimezone():%H:%M:%S})"


LOG_MAX_BYTES = 64 * 1024


def _trim_log(log: Path) -> None:
    """Keep the background fetcher's stderr log small: it only ever holds crash reports."""
    try:
        if log.stat().st_size > LOG_MAX_BYTES:
            tail = log.read_bytes()[-LOG_MAX_BYTES // 2:]
            store.atomic_write(log, tail)
    except OSError:
        pass


def main(argv: list[str] | None = None) -> int:
    """``python -m statusline.fetcher [--mode M] [--force] [--background]``."""
    args = list(sys.argv[1:] if argv is None else argv)
    mode, force, background = "auto", False, False
    while args:
        a = args.pop(0)
        if a == "--mode" and args:
            mode = args.pop(0)
        elif a.startswith("--mode="):
            mode = a.split("=", 1)[1]
        elif a == "--force":
            force = True
        elif a == "--background":
            background = True
    if mode not in ("auto", "code", "console"):
        mode = "auto"
    paths = resolve()
    if background:
        _trim_log(paths.account_dir(mode) / store.LOG)
    try:
        result = run(paths, mode, force=force)
    except store.CacheError as exc:
        print(f"claude-usage fetcher: {exc}", file=sys.stderr)
        return 1
    if not background:
        print(result.message)
    return 0 if result.ok or result.state == "busy" else 1


if __name__ == "__main__":
    sys.exit(main())
