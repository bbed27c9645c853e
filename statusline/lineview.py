"""The line view: the few plain values the hot path needs, derived from a Snapshot.

It is a marshal'd dict (``store.LINE_VIEW``) so that ``claude-usage-line`` reads it with no
import beyond what Python has already loaded. Version 1 keys:

    v          1
    mode       "code" | "console" | None
    fetched    epoch seconds of the data shown (usage or console costs), or None
    ttl        the fetcher's TTL for that mode, seconds
    status     condition of the last attempt: "ok" or an ErrorKind ("rate_limited", ...)
    error      short, safe text or None
    backoff_until  epoch seconds or None
    wait_sig   credentials signature an auth failure waits to see change, or None
    cred_sig   credentials signature when the data was fetched
    windows    [(key, name, utilization, resets_epoch_or_None)], key in
               five_hour | seven_day | scoped | extra
    console    {mtd, projected, rate, window, email} or None
    pace       Pace Maker summary dict or None
    source     "api" | "claude-code"
    at         epoch seconds of the last attempt, or None
    forecast   {"five_hour": P | None, "seven_day": P | None} (see ``forecast``), or None
"""

from __future__ import annotations

from typing import Any

from .model import Snapshot
from .policy import AUTH_KINDS, epoch

VERSION = 1


def windows(snapshot: Snapshot) -> list[tuple[str, str | None, float, float | None]]:
    out: list[tuple[str, str | None, float, float | None]] = []
    usage = snapshot.usage
    if usage is None:
        return out
    if usage.five_hour:
        out.append(("five_hour", None, usage.five_hour.utilization, epoch(usage.five_hour.resets_at)))
    if usage.seven_day:
        out.append(("seven_day", None, usage.seven_day.utilization, epoch(usage.seven_day.resets_at)))
    for s in usage.scoped:
        out.append(("scoped", s.name, s.window.utilization, epoch(s.window.resets_at)))
    extra = usage.extra
    if extra and extra.enabled and extra.utilization is not None:
        out.append(("extra", extra.currency, extra.utilization, None))
    return out


def console_summary(console: dict[str, Any] | None) -> dict[str, Any] | None:
    if not console:
        return None
    keys = ("mtd_usd", "projected_usd", "rate_usd_per_hour", "rate_window", "email", "month")
    short = ("mtd", "projected", "rate", "window", "email", "month")
    return {s: console.get(k) for k, s in zip(keys, short, strict=True)}


def build(snapshot: Snapshot, *, ttl: float, cred_sig: str | None,
          forecast: dict[str, Any] | None = None) -> dict[str, Any]:
    err = snapshot.last_error
    backoff = snapshot.backoff
    return {
        "v": VERSION,
        "mode": snapshot.mode,
        "fetched": epoch(snapshot.data_fetched_at()),
        "ttl": float(ttl),
        "status": err.kind if err else "ok",
        "error": err.message if err else None,
        "backoff_until": epoch(backoff.until) if backoff else None,
        "wait_sig": backoff.cred_sig if backoff and backoff.kind in AUTH_KINDS else None,
        "cred_sig": cred_sig,
        "windows": windows(snapshot),
        "console": console_summary(snapshot.console),
        "pace": snapshot.pace_maker,
        "source": snapshot.usage_source or "api",
        "at": epoch(snapshot.last_attempt_at),
        "forecast": forecast,
    }
