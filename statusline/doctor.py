"""``claude-usage doctor``: every fact needed to fix a problem, each with its fix.

Prints where credentials were found (a path or the Keychain, never the token), token
expiry, mode, cache path and age, last error, backoff and the lock holder.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Mapping
from datetime import datetime

from . import api, credentials, policy, store
from .model import utc
from .paths import Paths
from .version import VERSION


def _age(seconds: float) -> str:
    s = int(abs(seconds))
    if s < 120:
        return f"{s}s"
    if s < 7200:
        return f"{s // 60}m"
    if s < 172800:
        return f"{s // 3600}h {s % 3600 // 60}m"
    return f"{s // 86400}d {s % 86400 // 3600}h"


def _local(dt: datetime) -> str:
    return dt.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")


def _mode_bits(path: os.PathLike[str] | str) -> str:
    try:
        return oct(stat.S_IMODE(os.stat(path).st_mode))[2:]
    except OSError:
        return "?"


def report(paths: Paths, requested: str, env: Mapping[str, str] | None = None,
           now: float | None = None) -> tuple[list[tuple[str, str, str | None]], bool]:
    """Rows of (mark, text, fix) and whether everything is healthy. Pure but for file reads."""
    env = os.environ if env is None else env
    now_dt = utc(time.time() if now is None else now)
    rows: list[tuple[str, str, str | None]] = []
    ok = True

    def add(good: bool, text: str, fix: str | None = None) -> None:
        nonlocal ok
        ok = ok and good
        rows.append(("ok" if good else "!!", text, None if good else fix))

    creds = credentials.load(paths, env)
    mode = credentials.resolve_mode(requested, creds)
    how = "forced" if requested != "auto" else ("from the credentials file" if creds.mode_hint else "detected")
    add(mode is not None, f"mode: {mode or 'none'} ({how})",
        "log in with `claude`, or set ANTHROPIC_ADMIN_API_KEY for Console mode")
    for problem in creds.problems:
        add(False, f"credentials: {problem}",
            "run `claude` to log in again (the file is Claude Code's; we never write it)")

    if creds.oauth:
        o = creds.oauth
        add(True, f"OAuth token: found in {creds.oauth_source} (file mode {_mode_bits(paths.credentials_file)})")
        if o.expires_at:
            left = (o.expires_at - now_dt).total_seconds()
            add(not o.expired(now_dt),
                f"token expiry: {_local(o.expires_at)} ({'in ' + _age(left) if left > 0 else _age(left) + ' ago'})",
                "run `claude` once: Claude Code refreshes its token and we pick it up")
        if o.scopes and "user:profile" not in o.scopes:
            add(False, f"token scopes: {', '.join(o.scopes)}",
                "this looks like a `claude setup-token` token; log in with `claude` to get user:profile")
    elif mode == "code":
        add(False, f"OAuth token: not found in {paths.credentials_file}", "run `claude` and log in")
    if creds.admin_key:
        add(True, f"Admin API key: from {creds.admin_source}")
    elif mode == "console":
        add(False, "Admin API key: not found", "export ANTHROPIC_ADMIN_API_KEY=sk-ant-admin…")
    if mode == "console":
        from . import console

        cached, _ = store.load_snapshot(paths.account_dir(requested))
        profile_email = cached.profile.email if cached and cached.profile else None
        email, where = console.current_email(paths, env, profile_email)
        add(email is not None, f"Console user: {email} ({where})" if email else f"Console user: {where}",
            "export CLAUDE_USAGE_EMAIL=you@example.com (only this person's costs are shown)")

    add(True, f"API: {api.base_url(env)}")
    acct = paths.account_dir(requested)
    add(True, f"cache: {acct} (dir mode {_mode_bits(acct) if acct.exists() else 'not created yet'})")
    snap, cache_problem = store.load_snapshot(acct)
    if cache_problem:
        add(False, f"cache: {cache_problem}", "nothing to do: it is rebuilt on the next fetch")
    if snap is None:
        add(acct.exists(), "snapshot: none yet", "run `claude-usage refresh`")
    else:
        ttl = policy.ttls(env)["console" if snap.mode == "console" else "code"]
        fetched = snap.data_fetched_at()
        if fetched:
            age = (now_dt - fetched).total_seconds()
            add(age <= 2 * ttl or snap.backoff is not None,
                f"data: fetched {_local(fetched)} ({_age(age)} ago, TTL {ttl:g}s, source {snap.usage_source or 'api'})",
                "run `claude-usage refresh` to see why it is not updating")
        else:
            add(False, "data: never fetched successfully", "run `claude-usage refresh` to see why")
        if snap.last_error:
            e = snap.last_error
            add(False, f"last error: {e.kind}: {e.message} ({_local(e.at)})", _fix_for(e.kind))
        else:
            add(True, "last error: none")
        if snap.backoff:
            b = snap.backoff
            if b.until is None:
                add(False, f"backoff: {b.kind}, waiting for the credentials file to change", "run `claude` to log in")
            elif b.until > now_dt:
                add(False, f"backoff: {b.kind} x{b.failures} until {_local(b.until)} "
                    f"({_age((b.until - now_dt).total_seconds())} left)",
                    "wait: retrying earlier only prolongs a rate limit")
            else:
                add(True, f"backoff: expired ({b.kind} x{b.failures})")
        else:
            add(True, "backoff: none")
    owner = store.read_owner(acct)
    if owner:
        since = owner.get("since")
        held = f" for {_age(now_dt.timestamp() - since)}" if isinstance(since, (int, float)) else ""
        add(True, f"lock: held by fetcher pid {owner.get('pid')}{held}")
    else:
        add(True, "lock: free")
    log = acct / store.LOG
    if log.exists() and log.stat().st_size:
        tail = log.read_text(errors="replace").strip().splitlines()[-1:]
        add(True, f"fetcher log: {log} (last: {api.redact(tail[0]) if tail else ''})")
    pm = paths.pace_maker_dir
    add(True, f"Pace Maker: {'installed at ' + str(pm) if (pm / 'config.json').exists() else 'not installed'}")
    return rows, ok


def _fix_for(kind: str) -> str:
    return {
        "auth_expired": "run `claude`: it refreshes the token, and the line picks it up",
        "auth_invalid": "run `claude` and log in again",
        "missing_scope": "log in with `claude` (tokens from `claude setup-token` lack user:profile)",
        "rate_limited": "wait for the backoff to end; close other tools polling the same token",
        "network_error": "check the network or CLAUDE_USAGE_API_URL",
        "server_error": "Anthropic's API failed; it is retried with backoff",
        "bad_response": "the API answered something unexpected; it is retried with backoff",
        "no_credentials": "run `claude` and log in, or set ANTHROPIC_ADMIN_API_KEY",
        "no_email": "set CLAUDE_USAGE_EMAIL=you@example.com",
    }.get(kind, "see `claude-usage refresh` for details")


def run(paths: Paths, requested: str) -> int:
    rows, ok = report(paths, requested)
    print(f"claude-usage {VERSION} doctor")
    for mark, text, fix in rows:
        print(f"[{mark}] {text}")
        if fix:
            print(f"     fix: {fix}")
    return 0 if ok else 1
