"""Console mode's arithmetic: whose records count, which days may still move, the rate, the projection.

Pure functions over plain JSON values and an injected time, apart from the Admin API calls in
``fetch/console``, so each rule can be tested without a server and read in one place. The days
are UTC days (the usage report's), the month is a UTC month, and the projection runs to local
midnight ending it. See ``fetch/console`` for the console dict's keys.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import Any

from statusline.core import clean

# Rate windows, narrowest first: the narrowest that holds a past sample tells the current pace.
WINDOWS: tuple[tuple[str, float], ...] = (
    ("30m", 1800.0), ("1h", 3600.0), ("3h", 3 * 3600.0), ("6h", 6 * 3600.0),
    ("24h", 86400.0), ("7d", 7 * 86400.0),
)
MONTH_WINDOW = "month"
# A baseline sample younger than this says nothing about a rate: a forced refresh seconds after
# the last one would measure the growth of a few seconds ($0.00/h) and project nothing.
MIN_BASELINE_AGE = 600.0
HISTORY_KEEP = 7 * 86400.0
HISTORY_SPACING = 240.0  # older samples closer than this add nothing but bytes (TTL is 300 s)
HISTORY_MAX = 2600  # 7 days at the spacing above, plus slack; a backstop against clock jumps

Console = dict[str, Any]


# Who ------------------------------------------------------------------------------------

def same_email(a: Any, b: Any) -> bool:
    """Exact, case-insensitive: a username substring must never match someone else."""
    if not isinstance(a, str) or not isinstance(b, str):
        return False
    return a.strip().casefold() == b.strip().casefold() != ""


# Time -----------------------------------------------------------------------------------

def month_key(now: datetime) -> str:
    return now.astimezone(timezone.utc).strftime("%Y-%m")


def month_start(now: datetime) -> datetime:
    """Midnight UTC on the 1st: the report's days are UTC days, so the month is a UTC month."""
    n = now.astimezone(timezone.utc)
    return datetime(n.year, n.month, 1, tzinfo=timezone.utc)


def month_end_local(now: datetime, tz: tzinfo | None = None) -> float:
    """Epoch of local midnight ending the (UTC) month being totalled; ``tz`` None = system zone."""
    start = month_start(now)
    y, m = (start.year + 1, 1) if start.month == 12 else (start.year, start.month + 1)
    if tz is None:
        return time.mktime((y, m, 1, 0, 0, 0, 0, 0, -1))  # system zone, DST-aware
    return datetime(y, m, 1, tzinfo=tz).timestamp()


def day_start(day: date) -> float:
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc).timestamp()


def is_final(day: date, fetched_at: float | None) -> bool:
    """A day's cached total is final when it was taken more than a day after the day ended."""
    return fetched_at is not None and fetched_at >= day_start(day + timedelta(days=2))


def days_to_fetch(day_fetched_at: Mapping[str, float], now: datetime) -> list[date]:
    """This month's days, oldest first, whose total is missing or may still change."""
    today = now.astimezone(timezone.utc).date()
    out = []
    d = today.replace(day=1)
    while d <= today:
        if not is_final(d, day_fetched_at.get(d.isoformat())):
            out.append(d)
        d += timedelta(days=1)
    return out


# Rate and projection -------------------------------------------------------------------

def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        x = float(value)
    elif isinstance(value, str):
        try:
            x = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return x if math.isfinite(x) else None


def clean_history(raw: Any) -> list[list[float]]:
    """Well-formed [epoch, mtd] pairs, oldest first; anything else is dropped."""
    out = []
    for item in raw if isinstance(raw, list) else ():
        if isinstance(item, (list, tuple)) and len(item) == 2:
            t, v = _number(item[0]), _number(item[1])
            if t is not None and v is not None:
                out.append([t, v])
    out.sort(key=lambda s: s[0])
    return out


def add_sample(history: Any, at: float, mtd: float, since: float) -> list[list[float]]:
    """History with (at, mtd) appended: 7 days, this month only, thinned, capped."""
    kept = [s for s in clean_history(history) if since <= s[0] < at and s[0] > at - HISTORY_KEEP]
    if len(kept) >= 2 and kept[-1][0] - kept[-2][0] < HISTORY_SPACING:
        kept.pop()  # the newest stays only until a later one replaces it; the older spacing holds
    kept.append([at, mtd])
    return kept[-HISTORY_MAX:]


def rate(history: Any, mtd: float, now: float, since: float) -> tuple[float, str]:
    """($/h, window) by progressive fallback, else the month's average ($/h, "month").

    Windows are tried narrowest first; in the first one that holds a sample at least
    ``MIN_BASELINE_AGE`` old (and in this month, after ``since``: MTD restarts at the month),
    the rate is the MTD growth since the oldest such sample over the time between them.
    Until such a baseline exists the month's average holds. Never negative.
    """
    past = [s for s in clean_history(history) if since <= s[0] <= now - MIN_BASELINE_AGE]
    for name, span in WINDOWS:
        inside = [s for s in past if s[0] >= now - span]
        if inside:
            t, then = inside[0]
            return max(0.0, (mtd - then) / ((now - t) / 3600.0)), name
    hours = (now - since) / 3600.0
    return (max(0.0, mtd / hours) if hours > 0 else 0.0), MONTH_WINDOW


def projection(mtd: float, per_hour: float, now: datetime, tz: tzinfo | None = None) -> float:
    """MTD plus the rate until the month ends (local midnight); never below MTD."""
    hours_left = max(0.0, (month_end_local(now, tz) - now.timestamp()) / 3600.0)
    return max(mtd, mtd + max(0.0, per_hour) * hours_left)


# Reports --------------------------------------------------------------------------------

def _cost_cents(breakdown: Any) -> float:
    total = 0.0
    for item in breakdown if isinstance(breakdown, list) else ():
        cost = item.get("estimated_cost") if isinstance(item, dict) else None
        if not isinstance(cost, dict):
            continue
        currency = cost.get("currency")
        if isinstance(currency, str) and currency.upper() != "USD":
            continue
        amount = _number(cost.get("amount"))
        if amount is not None:
            total += amount
    return total


def _other_day(record: dict[str, Any], day: str) -> bool:
    """True when the record names a different day (guards against counting one twice)."""
    raw = record.get("date")
    if not isinstance(raw, str) or len(raw) < 10:
        return False
    try:
        return date.fromisoformat(raw[:10]).isoformat() != day
    except ValueError:
        return False


def user_cents(records: Any, email: str, day: str) -> float:
    """Cents spent on ``day`` by the user with ``email``; API keys and other people excluded."""
    total = 0.0
    for rec in records if isinstance(records, list) else ():
        if not isinstance(rec, dict):
            continue
        actor = rec.get("actor")
        if not isinstance(actor, dict) or actor.get("type") != "user_actor":
            continue
        if not same_email(actor.get("email_address"), email) or _other_day(rec, day):
            continue
        total += _cost_cents(rec.get("model_breakdown"))
    return total


# The console dict ----------------------------------------------------------------------

def email_check(prev: Mapping[str, Any], email: str) -> tuple[bool | None, float | None]:
    """The last membership answer for this email, and when it was taken."""
    if not prev or not same_email(prev.get("email_checked"), email):
        return None, None
    known = prev.get("email_known")
    return (known if isinstance(known, bool) else None), _number(prev.get("email_checked_at"))


def _days(raw: Any, month: str, today: str) -> dict[str, float]:
    out = {}
    for k, v in (raw.items() if isinstance(raw, dict) else ()):
        x = _number(v)
        if isinstance(k, str) and k.startswith(month + "-") and k <= today and x is not None:
            out[k] = x
    return out


def _stamps(raw: Any, days: Mapping[str, float]) -> dict[str, float]:
    """When each cached day was fetched; a stamp without a total is meaningless."""
    out = {}
    for k, v in (raw.items() if isinstance(raw, dict) else ()):
        t = _number(v)
        if k in days and t is not None:
            out[k] = t
    return out


def has_totals(console: Any) -> bool:
    return isinstance(console, dict) and _number(console.get("mtd_usd")) is not None


@dataclass(frozen=True)
class Prior:
    """What a refresh may build on, read from the last console dict for ``email`` at ``now``.

    ``mine``: the dict is this email's; ``same``: and of this month (a new month or a new user
    starts over, so ``days`` and ``fetched_at`` are empty then).
    """

    previous: Mapping[str, Any]
    mine: bool
    same: bool
    days: Mapping[str, float]
    fetched_at: Mapping[str, float]
    organization: str | None
    org_fetched_at: float | None


def prior(previous: Any, email: str, now: datetime) -> Prior:
    now = now.astimezone(timezone.utc)
    prev: Mapping[str, Any] = previous if isinstance(previous, dict) else {}
    mine = bool(prev) and same_email(prev.get("email"), email)
    same = mine and prev.get("month") == month_key(now)
    days = _days(prev.get("days"), month_key(now), now.date().isoformat()) if same else {}
    fetched_at = _stamps(prev.get("day_fetched_at"), days) if same else {}
    org = clean.text(prev.get("organization"), 80) if prev else None
    org_at = _number(prev.get("org_fetched_at")) if prev else None
    return Prior(prev, mine, same, days, fetched_at, org, org_at)


def org_due(p: Prior, ts: float, ttl: float) -> bool:
    """The organization's name is asked again when unknown, older than ``ttl``, or from the future."""
    return p.org_fetched_at is None or not 0 <= ts - p.org_fetched_at < ttl


def membership(
    p: Prior, email: str, days: Mapping[str, float], ts: float, ttl: float
) -> tuple[bool | None, float | None, bool]:
    """(known, checked_at, ask): the membership answer to keep, and whether to ask the API now.

    A month with costs proves the email is someone's. One reading $0.00 may be a mistyped email,
    so the organization's users are asked, once per ``ttl`` at most.
    """
    known, checked_at = email_check(p.previous, email)
    if math.fsum(days.values()) != 0:
        return True, ts, False
    return known, checked_at, checked_at is None or not 0 <= ts - checked_at < ttl


def record(
    email: str, now: datetime, org: str | None, org_at: float | None,
    days: Mapping[str, float], fetched_at: Mapping[str, float],
    known: bool | None, checked_at: float | None,
) -> Console:
    """The cached part of the console dict: who, which month, the days and when each was taken."""
    return {"organization": org, "org_fetched_at": org_at, "email": email,
            "month": month_key(now.astimezone(timezone.utc)),
            "days": dict(sorted(days.items())), "day_fetched_at": dict(sorted(fetched_at.items())),
            "email_checked": email, "email_known": known, "email_checked_at": checked_at}


def after_failure(p: Prior, cache: Console) -> tuple[Console | None, Console | None]:
    """(console to show, pending) after a failed refresh.

    This month's totals stay, updated by the days that did arrive. Without them the last good
    dict of this user stays on screen, and the days fetched so far wait as ``pending`` so a 429
    half-way through a month's first fetch does not cost those requests again.
    """
    if p.same and has_totals(p.previous):
        return {**p.previous, **cache, "email": p.previous["email"]}, None
    last_good = dict(p.previous) if p.mine and has_totals(p.previous) else None
    return last_good, ({**cache, "history": []} if cache["days"] else None)


def totals(p: Prior, cache: Console, now: datetime, tz: tzinfo | None = None) -> Console:
    """The whole console dict after a successful refresh: MTD, the history, the rate, the projection."""
    now = now.astimezone(timezone.utc)
    ts = now.timestamp()
    since = month_start(now).timestamp()
    mtd = round(math.fsum(cache["days"].values()), 2)
    history = add_sample(p.previous.get("history") if p.same else [], ts, mtd, since)
    per_hour, window = rate(history, mtd, ts, since)
    return {
        **{k: cache[k] for k in ("organization", "org_fetched_at", "email", "month")},
        "mtd_usd": mtd,
        "rate_usd_per_hour": round(per_hour, 4),
        "rate_window": window,
        "projected_usd": round(projection(mtd, per_hour, now, tz), 2),
        "days": cache["days"],
        "day_fetched_at": cache["day_fetched_at"],
        "history": history,
        **{k: cache[k] for k in ("email_checked", "email_known", "email_checked_at")},
    }


def continue_from(console: Any, pending: Any, email: str, now: datetime) -> Console | None:
    """What ``refresh`` should build on: this month's totals, else this month's pending days."""
    month = month_key(now)

    def current(d: Any) -> bool:
        return isinstance(d, dict) and d.get("month") == month and same_email(d.get("email"), email)

    if current(console) and has_totals(console):
        return console
    if current(pending):
        return pending
    return console if isinstance(console, dict) else None
