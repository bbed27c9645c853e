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
from typing import Any, Literal

from statusline.cache import cache_view, config, history, lineview, safefiles, store
from statusline.cache.paths import Paths, resolve
from statusline.core import clean, forecast, readings, spend
from statusline.core.model import (
    AUTH_KINDS,
    Backoff,
    ErrorKind,
    FetchError,
    Profile,
    Snapshot,
    Spend,
    Usage,
    epoch,
    utc,
)
from statusline.fetch import api, console, policy, pool, status_page
from statusline.fetch import budget as budget_mod
from statusline.render import notify
from statusline.sources import claude_json as claude_json_source
from statusline.sources import claude_version, credentials, usage_api
from statusline.sources import pace_maker as pace_maker_source

State = Literal["fetched", "fresh", "stale", "busy", "backoff", "failed", "no_credentials"]
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
    except store.CacheError:
        raise  # the cache cannot be written: said in one sentence by the caller (the hold is set)
    except Exception as exc:  # a bug must not leave the line waiting forever: record it
        import traceback

        traceback.print_exc()  # to the background log: crash reports are what it is for
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
    sig = cred_sig if failure.kind in AUTH_KINDS else None
    return snap.replace(
        last_error=FetchError(failure.kind, failure.message, now, failure.status),
        backoff=policy.next_backoff(snap.backoff, failure.kind, now, failure.retry_after, sig),
        last_attempt_at=now,
    )


def _save(job: Job, snap: Snapshot, ttl: float, shared: pool.Shared | None = None) -> None:
    """Write the snapshot and its line view. With the login's shared state, the view also says
    when the next usage call may be made, and judges staleness by the spacing the endpoint
    accepts when that is longer than the TTL (data that old is as fresh as it may be). Code-mode
    readings also go to the history, which answers with the forecast (and notifies, if asked)."""
    snap = snap.replace(pace_maker=_pace_maker(job.paths, snap, job.now))
    t = job.now.timestamp()
    next_call, interval = None, ttl
    if shared is not None:
        allowed = budget_mod.allowed_at(shared.budget, t, job.ttls["profile"])
        next_call = allowed if allowed > t else None
        interval = max(ttl, min(shared.budget.spacing, budget_mod.MAX_SPACING))
        if shared.budget.no_limits:
            interval = max(interval, job.ttls["profile"])
    cfg = config.line_config(job.settings)
    key = store.account_key(snap)
    fc = None
    if snap.mode == "code" and snap.usage_fetched_at is not None:
        fc = _observe(job.acct, lineview.windows(snap), snap.usage_fetched_at.timestamp(),
                      snap.usage_source or "api", t, notify.with_config(job.env, cfg), key,
                      lineview.since(snap.extra.get("account_since")))
    service = status_page.current(job.paths.cache_root, job.env, t, job.settings.status, job.force)
    extra = {k: v for k, v in snap.extra.items() if k != "service"}
    snap = snap.replace(extra={**extra, "config_dir": str(job.paths.config_dir),
                               **({"service": service} if service else {})})
    view = lineview.build(snap, ttl=interval, cred_sig=job.creds.cred_sig, next_call=next_call, forecast=fc,
                          config=cfg)
    store.save_snapshot(job.acct, snap, view)


def _observe(acct_dir, windows, observed_at, source, now, env, key=None, since=None):
    """Record line-view ``windows`` observed at ``observed_at`` as samples (in the account's own
    history: what was noted before the account was known moves there, from ``since`` on),
    announce crossed thresholds, and return the line view's ``forecast`` (see ``forecast``).
    Never raises for a cache problem: history is a nicety, the fetch must still be saved."""
    readings = history.from_windows(windows, observed_at, source)
    where = cache_view.key_dir(acct_dir, key)
    try:
        if key:
            history.adopt(acct_dir, where, since, now)
        history.record(where, readings, now)
        notify.maybe_notify(acct_dir, readings, now, env, key)
        samples = history.load(where, since=now - forecast.LOOKBACK_S - 60)
    except OSError:
        samples = []
    return forecast.for_view(samples, windows, now, env, observed_at)


def _pace_maker(paths: Paths, snap: Snapshot, now: datetime) -> dict | None:
    """Pace Maker's state, read-only, when it is installed (else None)."""
    try:
        if not (paths.pace_maker_dir / "config.json").is_file():
            return None
    except (OSError, ValueError):  # a path too long or otherwise unusable: no Pace Maker here
        return None
    from statusline.sources import pace_maker_state  # sqlite3: only when Pace Maker is installed

    usage = snap.usage
    inp = None
    if usage and snap.usage_fetched_at:
        inp = pace_maker_state.UsageInput(
            fetched_at=snap.usage_fetched_at.timestamp(),
            five_hour_util=usage.five_hour.utilization if usage.five_hour else None,
            five_hour_resets_at=epoch(usage.five_hour.resets_at) if usage.five_hour else None,
            seven_day_util=usage.seven_day.utilization if usage.seven_day else None,
            seven_day_resets_at=epoch(usage.seven_day.resets_at) if usage.seven_day else None,
        )
    return pace_maker_state.read_pace_maker(paths.pace_maker_dir, now.timestamp(), inp).to_dict()


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
    settings: config.Settings  # config.toml as loaded once for this run

    def client(self) -> api.Client:
        """An API client sending the User-Agent of the Claude Code the user runs."""
        version = claude_version.current(self.paths.cache_root, self.env, self.now.timestamp())
        return api.Client(self.env, claude_version=version)


def _stop(job: Job, snap: Snapshot, kind: ErrorKind, detail: str, ttl: float) -> Result:
    """Record a problem no request can fix (no credentials, no email) and stop."""
    snap = snap.replace(last_error=FetchError(kind, detail, job.now), backoff=None, last_attempt_at=job.now)
    _save(job, snap, ttl)
    return Result("no_credentials" if kind == "no_credentials" else "failed", detail, snap)


def _run_locked(
    paths: Paths, acct: Path, requested: str, force: bool, clock: Clock, env: Mapping[str, str]
) -> Result:
    now = utc(clock())
    snap, _problem = store.load_snapshot(acct)
    snap = snap or Snapshot()
    creds = credentials.load(paths, env)
    mode = credentials.resolve_mode(requested, creds)
    settings = config.load(env=env)
    ttls = policy.ttls(env, settings)
    job = Job(paths, acct, creds, force, now, ttls, env, settings)
    if mode is None and requested in ("auto", "code") and not settings.usage_api:
        mode = "code"  # local sources only: Claude Code's input, ~/.claude.json, Pace Maker

    if mode is None:
        where = str(paths.credentials_file)
        if credentials.platform_of(env) == "darwin":
            where += f" or the Keychain item '{credentials.keychain_service(env)}'"
        detail = "; ".join(creds.problems) or (
            f"no Claude Code login in {where} and no Admin API key: run `claude` and log in")
        return _stop(job, snap, "no_credentials", detail, ttls["code"])

    if snap.mode is not None and snap.mode != mode:
        snap = Snapshot()  # the mode changed: nothing of the old one applies
    snap = snap.replace(mode=mode)

    return _run_console(job, snap) if mode == "console" else _run_code(job, snap)


def _run_code(job: Job, snap: Snapshot) -> Result:
    """Code mode: readings from every source, one merge; the usage API only when the data is
    due and the endpoint will take the call (``budget``, shared by the login's ``pool``), and
    never when the user turned it off (``[sources] usage_api = false``)."""
    paths, creds, force, now, ttls = job.paths, job.creds, job.force, job.now, job.ttls
    ttl = ttls["code"]
    oauth = creds.oauth
    api_on = job.settings.usage_api
    if oauth is None and api_on:
        detail = "; ".join(creds.problems) or (
            f"no Claude Code login found in {paths.credentials_file}: run `claude` and log in"
        )
        return _stop(job, snap, "no_credentials", detail, ttl)
    if not api_on:
        return _run_local(job, snap)
    assert oauth is not None

    claude_json = credentials.read_claude_json(paths)
    local = credentials.local_account(paths, claude_json)
    identity = local.get("account_uuid")
    token_fp = oauth.fingerprint()
    client: api.Client | None = None  # one per run, made only when a request is due

    auth_wait = snap.backoff is not None and snap.backoff.kind != "rate_limited"
    if not force and auth_wait and policy.blocked(snap.backoff, now, creds.cred_sig):
        return Result("backoff", _backoff_text(snap, now), snap)

    if oauth.expired(now):
        exp = f" at {oauth.expires_at.astimezone():%Y-%m-%d %H:%M} (local time)" if oauth.expires_at else ""
        failure = api.Failure("auth_expired", f"the login expired{exp}: run `claude` to refresh it")
        # Judged by our clock, not by the server: looked at again soon, so a clock that had
        # jumped ahead and is back leaves no "run claude" behind (a new login ends it at once).
        snap = snap.replace(last_error=FetchError(failure.kind, failure.message, now),
                            backoff=policy.local_expiry(snap.backoff, now), last_attempt_at=now)
        _save(job, snap, ttl)
        return Result("failed", failure.message, snap)

    # Who is this token? ~/.claude.json says; else a new token asks the profile at once, before
    # any reading is merged: a new login must never be shown another account's numbers.
    early_profile, profile_tried = None, False
    if identity is None and (snap.token_fp != token_fp or snap.account is None):
        profile_tried = True
        client = job.client()
        pout = client.profile(oauth.access_token)
        if isinstance(pout, api.Ok):
            try:
                early_profile = usage_api.profile(pout.body, oauth.rate_limit_tier)
            except usage_api.BadBody:
                early_profile = None
        if early_profile is not None:
            identity = early_profile.account_uuid
    snap = _switch_account(job, snap, identity)
    if early_profile is not None:
        snap = snap.replace(profile=early_profile, profile_fetched_at=now)

    local_sources = _local_readings(job, claude_json, identity, snap)
    pool_dir = pool.directory(paths, _key_for(identity or snap.account))
    with pool.locked(pool_dir, timeout=_lock_wait(job.env)) as have_lock:
        shared = pool.read(pool_dir)
        step = _usage_step(job, snap, shared, local_sources, token_fp, have_lock, ttl)
        if step.call:
            client = client or job.client()
            outcome = client.usage(oauth.access_token)
            shared, snap, refused = _after_call(outcome, shared, snap, now, token_fp, creds.cred_sig)
            pool.write(pool_dir, shared)
            if refused is not None:
                snap = _merge_into(snap, local_sources, None, now)
                if refused.kind not in AUTH_KINDS:  # the profile is another endpoint: who you are still shows
                    snap = _profile(snap, client, oauth, token_fp, ttls, now, force=False)
                _save(job, snap, ttl, shared)
                return Result("failed", refused.message, snap)
            step = replace(step, api_usage=shared.usage)

    snap = _merge_into(snap, local_sources, step.api_usage, now)
    taken = _taken(snap, step.api_usage)
    if step.api_usage is not None:
        snap = snap.replace(last_error=None, backoff=None)
    elif step.blocked and step.kind == "rate_limited":
        snap = snap.replace(
            last_error=FetchError("rate_limited", step.message, now),
            backoff=Backoff("rate_limited", max(1, shared.budget.refusals), utc(step.until) if step.until else None),
        )

    if not profile_tried and not (step.blocked and step.kind == "rate_limited"):
        snap = _profile(snap, client or job.client(), oauth, token_fp, ttls, now, force)

    account = identity or (snap.profile.account_uuid if snap.profile else None) or snap.account
    snap = snap.replace(account=account, token_fp=token_fp, last_attempt_at=now)
    _save(job, snap, ttl, shared)
    if step.call:
        if taken:
            return Result("fetched", "usage updated", snap)
        return Result("fetched", "the usage API answered, but readings observed at the same moment "
                                 "are higher and stay shown", snap)
    if step.blocked:
        return Result("busy" if step.kind == "busy" else "backoff", step.message, snap)
    if step.api_usage is not None and not taken:
        return _aged(snap, now, ttl, "the answer another mode of this login fetched is older than the cache")
    return _aged(snap, now, ttl, step.message)


def _aged(snap: Snapshot, now: datetime, ttl: float, message: str) -> Result:
    """``fresh`` only when the data is: ageing data is called what it is."""
    fetched = snap.usage_fetched_at
    age = None if fetched is None else now.timestamp() - fetched.timestamp()
    if age is None or age > ttl:
        shown = "no usage yet" if age is None else f"usage is {int(age)}s old"
        return Result("stale", f"{shown}: {message}", snap)
    return Result("fresh", message, snap)


def _taken(snap: Snapshot, api_usage: Usage | None) -> bool:
    """Whether the API's answer is what the cache now shows (at least one window of it)."""
    if api_usage is None:
        return False
    fresh = api_usage.readings()
    if not fresh:
        return True  # an answer with no windows (no limits, credits only) is taken whole
    shown = set(snap.usage.readings(snap.usage_fetched_at)) if snap.usage else set()
    return any(tuple(r) in shown for r in fresh)


def _key_for(account: str | None) -> str | None:
    return store.account_key(Snapshot(mode="code", account=account))


def _switch_account(job: Job, snap: Snapshot, identity: str | None) -> Snapshot:
    """The snapshot for ``identity``: another account logged in here starts empty (never mix
    two accounts' numbers); from now on, readings heard before this moment are not its own."""
    if snap.account and identity and snap.account != identity:
        return Snapshot(mode="code", account=identity,
                        extra={"account_since": job.now.timestamp(), "config_dir": str(job.paths.config_dir)})
    return snap


def _run_local(job: Job, snap: Snapshot) -> Result:
    """``[sources] usage_api = false``: no call to the OAuth endpoints at all; the line lives on
    Claude Code's input, ``~/.claude.json`` and Pace Maker."""
    now, ttl = job.now, job.ttls["code"]
    claude_json = credentials.read_claude_json(job.paths)
    local = credentials.local_account(job.paths, claude_json)
    identity = local.get("account_uuid")
    snap = _switch_account(job, snap, identity)
    if snap.profile is None and local.get("email"):  # who this is, for doctor and the panel, without a call
        snap = snap.replace(profile=Profile(email=local["email"], organization=local.get("organization"),
                                            account_uuid=identity))
    local_sources = _local_readings(job, claude_json, identity, snap)
    snap = _merge_into(snap, local_sources, None, now)
    snap = snap.replace(account=identity or snap.account, last_error=None, backoff=None, last_attempt_at=now)
    _save(job, snap, ttl)
    return _aged(snap, now, ttl, "the usage API is off ([sources] usage_api = false): local readings only")


def _profile(snap: Snapshot, client: api.Client, oauth, token_fp: str, ttls, now: datetime,
             force: bool) -> Snapshot:
    """The profile: hourly, or at once for a new token (a new login must never keep another's)."""
    token_changed = snap.token_fp is not None and snap.token_fp != token_fp
    profile_fresh = policy.is_fresh(snap.profile_fetched_at, ttls["profile"], now) and not token_changed
    if not force and profile_fresh:
        return snap
    pout = client.profile(oauth.access_token)
    if isinstance(pout, api.Ok):
        try:
            prof = usage_api.profile(pout.body, oauth.rate_limit_tier)
            return snap.replace(profile=prof, profile_fetched_at=now)
        except usage_api.BadBody:
            pass  # keep the old profile; it changes rarely
    return snap


@dataclass(frozen=True)
class Step:
    """What this run does about the usage API, and why."""

    call: bool = False
    blocked: bool = False
    kind: str = ""  # with ``blocked``: rate_limited | spacing | busy
    message: str = "cache is fresh"
    until: float | None = None
    api_usage: Usage | None = None


def _lock_wait(env: Mapping[str, str]) -> float:
    """How long to wait for another mode's call to finish: its whole deadline, and a little."""
    return 2 * api.timeouts(env)[1] + 5.0


@dataclass(frozen=True)
class LocalSources:
    """What costs no call: readings from the hook, ``~/.claude.json`` and Pace Maker."""

    readings: tuple[tuple[Any, ...], ...] = ()
    spend: Spend | None = None
    pace_maker_backoff: float | None = None


def _local_readings(job: Job, claude_json: dict[str, Any] | None, identity: str | None,
                    snap: Snapshot | None = None) -> LocalSources:
    t = job.now.timestamp()
    harvest = cache_view.read_harvest(str(job.acct / store.HARVEST)) or {}
    got: list[tuple[Any, ...]] = [tuple(r) for r in harvest.get("windows") or () if readings.is_reading(r)]
    since = lineview.since(snap.extra.get("account_since")) if snap is not None else None
    if since is not None:
        got = [r for r in got if r[4] >= since]  # heard before this account logged in here
    cached = claude_json_source.usage(claude_json, identity, t)
    if cached is not None:
        got += cached.readings()
    pm = pace_maker_source.readings(job.paths.pace_maker_dir, t)
    got += pm.readings
    spend = None
    hs = harvest.get("spend")
    if isinstance(hs, dict) and readings.within(hs.get("observed"), readings.EPOCH_MIN, readings.EPOCH_MAX):
        spend = Spend(percent=clean.percent(hs.get("pct")), used=clean.finite(hs.get("used"), 0),
                      limit=clean.finite(hs.get("limit"), 0), period=clean.text(hs.get("period"), 20),
                      observed_at=utc(hs["observed"]), source="claude-code")
    return LocalSources(tuple(got), spend, pm.backoff_until)


def _usage_step(job: Job, snap: Snapshot, shared: pool.Shared, local: LocalSources, token_fp: str,
                have_lock: bool, ttl: float) -> Step:
    """Whether to call the usage API now: only when the data is due and the endpoint is ready."""
    t = job.now.timestamp()
    times = [r[4] for r in local.readings]
    if snap.usage_fetched_at is not None:
        times.append(snap.usage_fetched_at.timestamp())
    data_at = max(times, default=None)
    if not job.force and data_at is not None and -ttl < t - data_at < ttl:
        return Step(message="cache is fresh")
    if (shared.usage is not None and shared.usage_at is not None and shared.token_fp == token_fp
            and -ttl < t - shared.usage_at < ttl and (data_at is None or shared.usage_at > data_at)):
        return Step(message="usage fetched by another mode of this login", api_usage=shared.usage)
    if not have_lock:
        return Step(blocked=True, kind="busy", message="another fetcher is calling the usage API")
    bound = t + budget_mod.RATE_LIMIT_MAX
    pm_until = local.pace_maker_backoff
    if pm_until is not None and t < pm_until <= bound:
        return Step(blocked=True, kind="rate_limited", until=pm_until,
                    message=f"Pace Maker is backing off this token until {_clock(pm_until)}")
    b = shared.budget
    if b.backoff_until is not None and t < b.backoff_until <= bound:
        return Step(blocked=True, kind="rate_limited", until=b.backoff_until,
                    message=f"the API is rate limiting this login: no usage call before {_clock(b.backoff_until)}")
    allowed = budget_mod.allowed_at(b, t, job.ttls["profile"])
    if not job.force and t < allowed:
        why = ("this account has no plan limits" if b.no_limits
               else f"the usage API takes one call per {int(b.spacing)}s from this login")
        return Step(blocked=True, kind="spacing", until=allowed, message=f"{why}: next call at {_clock(allowed)}")
    return Step(call=True)


def _clock(epoch: float) -> str:
    return utc(epoch).astimezone().strftime("%H:%M:%S")


def _after_call(outcome: api.Outcome, shared: pool.Shared, snap: Snapshot, now: datetime, token_fp: str,
                cred_sig: str | None) -> tuple[pool.Shared, Snapshot, api.Failure | None]:
    """Fold one usage call into the shared budget and the snapshot."""
    t = now.timestamp()
    if isinstance(outcome, api.Ok):
        try:
            usage = usage_api.usage(outcome.body, now)
        except usage_api.BadBody as exc:
            outcome = api.Failure("bad_response", str(exc), outcome.status)
        else:
            b = budget_mod.after_ok(shared.budget, t, no_limits=usage.no_limits)
            return pool.Shared(b, usage, t, token_fp), snap, None
    if outcome.kind == "rate_limited":
        b = budget_mod.after_refusal(shared.budget, t, outcome.retry_after)
        snap = snap.replace(
            last_error=FetchError("rate_limited", outcome.message, now, outcome.status),
            backoff=Backoff("rate_limited", b.refusals, utc(b.backoff_until) if b.backoff_until else None),
            last_attempt_at=now,
        )
    else:
        b = budget_mod.after_failure(shared.budget, t)
        snap = _fail(snap, outcome, now, cred_sig)
    return replace(shared, budget=b), snap, outcome


KEEP_RESET_S = 86400.0  # a window this long past its reset is dropped from the cache


def _merge_into(snap: Snapshot, local: LocalSources, api_usage: Usage | None, now: datetime) -> Snapshot:
    """The one place the fetcher's readings meet (``readings.merge``): the cache's own, the free
    sources', the API's. Account facts (credits, spend, no limits) come from the newest answer."""
    t = now.timestamp()
    base = snap.usage or Usage()
    previous = base.readings(snap.usage_fetched_at)
    fresh = api_usage.readings() if api_usage is not None else []
    # A reading stamped in the future counts as observed now (``readings.merge``).
    merged = [r for r in readings.merge(previous, local.readings, fresh, now=t)
              if r[3] is None or r[3] > t - KEEP_RESET_S]
    facts = api_usage if api_usage is not None else base
    if api_usage is not None and api_usage.no_limits:
        merged = [r for r in merged if r[5] != "api"]  # the API says: no plan limits now
    spend = facts.spend
    if local.spend is not None and (spend is None or spend.observed_at is None
                                    or (local.spend.observed_at and local.spend.observed_at > spend.observed_at)):
        spend = local.spend
    usage = replace(facts.with_readings(merged), spend=spend, no_limits=facts.no_limits and not merged)
    newest = readings.newest(merged)
    fetched = utc(newest) if newest is not None else snap.usage_fetched_at
    if fetched is not None and fetched.timestamp() > t:
        fetched = now
    if api_usage is not None and not merged:
        fetched = now  # an answer with no windows (no limits, credits only) is fresh too
    best = max(merged, key=lambda r: r[4], default=None)
    source = best[5] if best else ("api" if api_usage is not None else snap.usage_source)
    return snap.replace(usage=usage, usage_fetched_at=fetched, usage_source=source)


def _run_console(job: Job, snap: Snapshot) -> Result:
    """Console mode: the current user's month-to-date Claude Code cost."""
    paths, creds, force, now, ttls, env = job.paths, job.creds, job.force, job.now, job.ttls, job.env
    ttl = ttls["console"]
    key = creds.admin_key
    if not key:
        detail = "no Admin API key: set ANTHROPIC_ADMIN_API_KEY"
        return _stop(job, snap, "no_credentials", detail, ttl)

    email, where = console.current_email(paths, env, snap.profile.email if snap.profile else None)
    if email is None and creds.oauth is not None:  # the last fallback: whose login this is
        snap = _login_profile(job, snap)
        email, where = console.current_email(paths, env, snap.profile.email if snap.profile else None)
    if email is None:
        detail = ("no user email for Console mode: set CLAUDE_USAGE_EMAIL=you@example.com "
                  f"(or log in with `claude` so {paths.claude_json} names you)")
        return _stop(job, snap, "no_email", detail, ttl)
    if snap.console is not None and not spend.same_email(snap.console.get("email"), email):
        # never show another person's costs
        snap = snap.replace(console=None, console_fetched_at=None)

    if not force and policy.blocked(snap.backoff, now, creds.cred_sig):
        return Result("backoff", _backoff_text(snap, now), snap)
    if not force and policy.is_fresh(snap.console_fetched_at, ttl, now):
        return Result("fresh", "cache is fresh", snap)

    previous = spend.continue_from(snap.console, snap.extra.get("console_pending"), email, now)
    got = console.refresh(api.Client(env), key, email, previous, now)
    extra = {k: v for k, v in snap.extra.items() if k != "console_pending"}
    if got.pending is not None:
        extra["console_pending"] = got.pending  # days fetched before a failure, no total yet
    if got.failure is None:
        snap = snap.replace(console=got.console, console_fetched_at=now, extra=extra,
                            last_error=None, backoff=None, last_attempt_at=now)
        _save(job, snap, ttl)
        text = f"console costs updated for {email} (from {where}; {got.requests} requests)"
        if isinstance(got.console, dict) and got.console.get("email_known") is False:
            text += (f"; but {email} is not one of the organization's users, so no costs match it: "
                     "set CLAUDE_USAGE_EMAIL to the email you sign in to the Console with")
        return Result("fetched", text, snap)

    snap = snap.replace(console=got.console if got.console is not None else snap.console, extra=extra)
    # The signature covers the credentials file and the environment's key: a new one ends the wait.
    snap = _fail(snap, got.failure, now, creds.cred_sig)
    _save(job, snap, ttl)
    return Result("failed", got.failure.message, snap)


def _login_profile(job: Job, snap: Snapshot) -> Snapshot:
    """Console mode's snapshot with the OAuth login's profile (its email is the current user's
    last fallback, after CLAUDE_USAGE_EMAIL and ~/.claude.json): the one Code mode already
    fetched for this config dir, else one profile call with the token, kept for the profile
    TTL like Code mode's."""
    for mode in ("auto", "code"):
        code_snap, _ = store.load_snapshot(job.paths.account_dir(mode))
        if code_snap is not None and code_snap.mode == "code" and code_snap.profile and code_snap.profile.email:
            return snap.replace(profile=code_snap.profile, profile_fetched_at=code_snap.profile_fetched_at)
    oauth = job.creds.oauth
    if oauth is None or oauth.expired(job.now) or policy.is_fresh(snap.profile_fetched_at, job.ttls["profile"],
                                                                 job.now):
        return snap
    snap = snap.replace(profile_fetched_at=job.now)  # asked once per profile TTL, answered or not
    pout = job.client().profile(oauth.access_token)
    if isinstance(pout, api.Ok):
        try:
            return snap.replace(profile=usage_api.profile(pout.body, oauth.rate_limit_tier))
        except usage_api.BadBody:
            pass
    return snap


def _backoff_text(snap: Snapshot, now: datetime) -> str:
    b = snap.backoff
    if b is None:
        return ""
    why = KIND_WORDS.get(b.kind, "an error")
    if b.until is None:
        if snap.mode == "console":
            return (f"waiting for a new Admin API key after {why} "
                    "(set a valid ANTHROPIC_ADMIN_API_KEY or anthropicConsole.adminApiKey)")
        return f"waiting for new credentials after {why} (run `claude` to log in)"
    from statusline.render.segments import wait

    left = wait((b.until - now).total_seconds(), " ")
    return f"pausing after {why} for {left} more, until {b.until.astimezone():%H:%M:%S}"


KIND_WORDS = {"auth_expired": "an expired login", "auth_invalid": "rejected credentials",
              "missing_scope": "a token without the user:profile scope", "rate_limited": "a rate limit",
              "network_error": "a network error", "server_error": "an API failure",
              "bad_response": "an unexpected answer", "no_credentials": "finding no credentials",
              "no_email": "finding no email", "internal_error": "an internal error"}


LOG_MAX_BYTES = 64 * 1024


def _trim_log(log: Path) -> None:
    """Keep the background fetcher's stderr log small: it only ever holds crash reports."""
    try:
        if log.stat().st_size > LOG_MAX_BYTES:
            tail = safefiles.read_own(str(log), store.LOG_READ_LIMIT)[-LOG_MAX_BYTES // 2:]
            store.atomic_write(log, tail)
    except OSError:
        pass


def main(argv: list[str] | None = None) -> int:
    """``python -m statusline.fetch.fetcher [--mode M] [--force] [--background]``."""
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
