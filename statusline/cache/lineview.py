"""The line view: the few plain values the hot path needs, derived from a Snapshot.

It is a marshal'd dict (``store.LINE_VIEW``) so that ``claude-usage-line`` reads it with no
import beyond what Python has already loaded. Version 2 keys (a reader that finds another
version treats the view as missing, and the fetcher rewrites it):

    v          2
    mode       "code" | "console" | None
    fetched    epoch seconds of the freshest data shown (usage readings or console costs), or None
    ttl        the refresh interval the data is judged by: the user's TTL, or the spacing the
               usage endpoint was found to accept when that is longer
    status     condition of the last attempt: "ok" or an ErrorKind ("rate_limited", ...)
    error      short, safe text or None
    backoff_until  epoch seconds or None
    next_call  epoch seconds before which the fetcher will not call the usage API, or None
    wait_sig   credentials signature an auth failure waits to see change, or None
    cred_sig   credentials signature when the data was fetched
    windows    readings: [(key, name, utilization, resets, observed_at, source)] (``readings``)
    money      {"credits": {used, limit, pct, currency}, "spend": {pct, used, limit, currency,
               period}} (either None), or None
    no_limits  True when the account has no plan limits (every window null)
    console    {mtd, projected, rate, window, email, month, known} or None (known: False when the
               email is not one of the organization's users)
    pace       Pace Maker summary dict or None
    source     where the freshest reading came from: "api" | "claude-code" | ...
    at         epoch seconds of the last attempt, or None
    forecast   {"five_hour": P | None, "seven_day": P | None} (see ``forecast``), or None
    config     what the line needs of config.toml (``config.line_config``): sig, glyphs,
               thresholds, items, notify_at, tmux; or None
    account    the account's short key (``store.account_key``: a hash), or None while unknown
    account_since  epoch seconds this account logged in here (after another one), or None:
               harvested readings observed before it are the previous account's
"""

from __future__ import annotations

from typing import Any

from statusline.cache import store
from statusline.core import clean, readings
from statusline.core.model import AUTH_KINDS, Snapshot, epoch

VERSION = 2


def windows(snapshot: Snapshot) -> list[tuple[Any, ...]]:
    """The snapshot's usage windows as ``readings`` tuples."""
    usage = snapshot.usage
    return usage.readings(snapshot.usage_fetched_at) if usage else []


def money(snapshot: Snapshot) -> dict[str, Any] | None:
    usage = snapshot.usage
    if usage is None:
        return None
    credits = None
    extra = usage.extra
    if extra and extra.enabled:
        credits = {"used": extra.used, "limit": extra.monthly_limit, "pct": extra.utilization,
                   "currency": extra.currency}
    spend = None
    if usage.spend:
        s = usage.spend
        spend = {"pct": s.percent, "used": s.used, "limit": s.limit, "currency": s.currency, "period": s.period}
    return {"credits": credits, "spend": spend} if credits or spend else None


def console_summary(console: dict[str, Any] | None) -> dict[str, Any] | None:
    if not console:
        return None
    keys = ("mtd_usd", "projected_usd", "rate_usd_per_hour", "rate_window", "email", "month", "email_known")
    short = ("mtd", "projected", "rate", "window", "email", "month", "known")
    return {s: console.get(k) for k, s in zip(keys, short, strict=True)}


def build(snapshot: Snapshot, *, ttl: float, cred_sig: str | None, next_call: float | None = None,
          forecast: dict[str, Any] | None = None, config: dict[str, Any] | None = None) -> dict[str, Any]:
    err = snapshot.last_error
    backoff = snapshot.backoff
    ws = windows(snapshot)
    freshest = max(ws, key=lambda r: r[4], default=None)
    return {
        "v": VERSION,
        "mode": snapshot.mode,
        "fetched": epoch(snapshot.data_fetched_at()),
        "ttl": float(ttl),
        "status": err.kind if err else "ok",
        "error": clean.text(err.message, 300) if err else None,
        "backoff_until": epoch(backoff.until) if backoff else None,
        "wait_sig": backoff.cred_sig if backoff and backoff.kind in AUTH_KINDS else None,
        "cred_sig": cred_sig,
        "next_call": next_call,
        "windows": ws,
        "money": money(snapshot),
        "no_limits": bool(snapshot.usage and snapshot.usage.no_limits),
        "console": clean.tree(console_summary(snapshot.console)),
        "pace": clean.tree(snapshot.pace_maker),
        "source": (freshest[5] if freshest else snapshot.usage_source) or "api",
        "at": epoch(snapshot.last_attempt_at),
        "forecast": forecast,
        "config": config,
        "account": store.account_key(snapshot),  # whose numbers these are (a key, never a name)
        "account_since": since(snapshot.extra.get("account_since")),  # older harvests are another's
        "service": service(snapshot.extra.get("service")),  # Anthropic's status page: an outage marker
    }


SERVICE_STATES = ("outage", "degraded", "incident")


def service(s: Any) -> dict[str, Any] | None:
    """The status page's state as the line view holds it (cleaned once more: it came from outside)."""
    if not isinstance(s, dict) or s.get("state") not in SERVICE_STATES:
        return None
    return {"state": s["state"], "name": clean.text(s.get("name"), 120), "link": s.get("link")
            if isinstance(s.get("link"), str) and s["link"].startswith("https://") else None}


def since(t: Any) -> float | None:
    """``account_since`` as epoch seconds, or None when it is no plausible time."""
    return float(t) if readings.within(t, readings.EPOCH_MIN, readings.EPOCH_MAX) else None
