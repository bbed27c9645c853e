"""Console mode: the current user's own month-to-date Claude Code cost, its rate, a projection.

The Admin API reports Claude Code usage one UTC day per call. A finished day stops changing,
so per-day totals are cached in the console dict and a refresh only asks again for the days
that may still move (today, yesterday, and a day whose cached total was taken before it
settled). Only the current user's ``user_actor`` records count, matched by exact email:
never the organization's total, never another person's or an API key's spending.

The console dict (``Snapshot.console``, plain JSON) holds: ``organization``, ``org_fetched_at``,
``email``, ``month`` ("YYYY-MM", UTC), ``mtd_usd``, ``rate_usd_per_hour``, ``rate_window``,
``projected_usd``, ``days`` ({"YYYY-MM-DD": usd}), ``day_fetched_at`` ({"YYYY-MM-DD": epoch})
``history`` ([[epoch, mtd], ...]), and whether the email is one of the organization's users
(``email_known``, checked at ``email_checked_at`` for ``email_checked``: asked once a day at
most, and only while the month reads $0.00). Every function takes the time as an argument.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import Any

from statusline.cache.paths import Paths
from statusline.core import clean
from statusline.fetch import api
from statusline.sources import credentials

ME_PATH = "/v1/organizations/me"
USAGE_PATH = "/v1/organizations/usage_report/claude_code"
PAGE_LIMIT = 1000
MAX_PAGES = 100  # per day; a cursor that never ends is a bad answer, not a reason to loop

USERS_PATH = "/v1/organizations/users"
USERS_TTL = 86400.0  # the organization's members are checked once a day at most
USERS_PAGE = 100
ORG_TTL = 3600.0  # the organization's name changes rarely
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


@dataclass(frozen=True)
class ConsoleRefresh:
    """What one refresh produced.

    ``console`` is the dict to show (new totals on success, the last good totals after a
    failure, None when there is nothing of this user's to show). ``pending`` holds the days
    fetched before a failure when there are no totals yet for this month: the fetcher keeps it
    and passes it back as ``previous``, so a 429 half-way through a month's first fetch does
    not cost those requests again.
    """

    console: Console | None
    failure: api.Failure | None
    requests: int
    pending: Console | None = None

    @property
    def ok(self) -> bool:
        return self.failure is None


# Who ------------------------------------------------------------------------------------

def current_email(
    paths: Paths, env: Mapping[str, str], profile_email: str | None
) -> tuple[str | None, str]:
    """(email, where it came from): the explicit setting, ~/.claude.json, the OAuth profile."""
    explicit = (env.get("CLAUDE_USAGE_EMAIL") or "").strip()
    if explicit:
        return explicit, "CLAUDE_USAGE_EMAIL"
    local = (credentials.local_account(paths).get("email") or "").strip()
    if local:
        return local, f"{paths.claude_json} (oauthAccount.emailAddress)"
    if isinstance(profile_email, str) and profile_email.strip():
        return profile_email.strip(), "OAuth profile"
    return None, "not found: set CLAUDE_USAGE_EMAIL=you@example.com"


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


def fetch_day(
    client: api.Client, key: str, email: str, day: date
) -> tuple[float | None, api.Failure | None, int]:
    """(usd, failure, requests) for one UTC day, following every page."""
    cents, page, seen, n = 0.0, None, set(), 0
    while True:
        params: dict[str, Any] = {"starting_at": day.isoformat(), "limit": PAGE_LIMIT}
        if page:
            params["page"] = page
        outcome = client.admin_get(key, USAGE_PATH, params)
        n += 1
        if isinstance(outcome, api.Failure):
            return None, outcome, n
        body = outcome.body
        if not isinstance(body, dict) or not isinstance(body.get("data"), list):
            bad = api.Failure("bad_response", f"usage report for {day}: no data list", outcome.status)
            return None, bad, n
        cents += user_cents(body["data"], email, day.isoformat())
        nxt = body.get("next_page")
        if body.get("has_more") is not True or not isinstance(nxt, str) or not nxt:
            return cents / 100.0, None, n
        if nxt in seen or n >= MAX_PAGES:
            return None, api.Failure("bad_response", f"usage report for {day}: pages do not end"), n
        seen.add(nxt)
        page = nxt


def is_member(client: api.Client, key: str, email: str) -> tuple[bool | None, int]:
    """(whether ``email`` is one of the organization's users, requests): None when it could not be
    told (a failure, pages that do not end). Only asked when the month reads $0.00: a mistyped
    email matches no record, and would read $0.00 for ever without a word."""
    after, seen, n = None, set(), 0
    while n < MAX_PAGES:
        params: dict[str, Any] = {"limit": USERS_PAGE}
        if after:
            params["after_id"] = after
        outcome = client.admin_get(key, USERS_PATH, params)
        n += 1
        body = outcome.body if isinstance(outcome, api.Ok) else None
        if not isinstance(body, dict) or not isinstance(body.get("data"), list):
            return None, n
        if any(isinstance(u, dict) and same_email(u.get("email"), email) for u in body["data"]):
            return True, n
        last = body.get("last_id")
        if body.get("has_more") is not True or not isinstance(last, str) or not last or last in seen:
            return (False if body.get("has_more") is not True else None), n
        seen.add(last)
        after = last
    return None, n


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


def refresh(
    client: api.Client,
    key: str,
    email: str,
    previous: Console | None,
    now: datetime,
    tz: tzinfo | None = None,
) -> ConsoleRefresh:
    """Bring the console dict up to date: the organization (hourly), then the unsettled days."""
    now = now.astimezone(timezone.utc)
    ts = now.timestamp()
    month, today = month_key(now), now.date().isoformat()
    prev: dict[str, Any] = previous if isinstance(previous, dict) else {}
    mine = bool(prev) and same_email(prev.get("email"), email)
    same = mine and prev.get("month") == month  # a new month or a new user starts over
    days = _days(prev.get("days"), month, today) if same else {}
    fetched_at = _stamps(prev.get("day_fetched_at"), days) if same else {}
    org = clean.text(prev.get("organization"), 80) if prev else None
    org_at = _number(prev.get("org_fetched_at")) if prev else None

    requests = 0
    failure: api.Failure | None = None
    if org_at is None or not 0 <= ts - org_at < ORG_TTL:
        outcome = client.admin_get(key, ME_PATH)
        requests += 1
        if isinstance(outcome, api.Failure):
            failure = outcome
        else:
            name = clean.text(outcome.body.get("name"), 80) if isinstance(outcome.body, dict) else None
            org, org_at = (name or org), ts

    if failure is None:
        for day in days_to_fetch(fetched_at, now):
            usd, failure, n = fetch_day(client, key, email, day)
            requests += n
            if failure is not None:
                break
            days[day.isoformat()] = round(usd or 0.0, 6)
            fetched_at[day.isoformat()] = ts

    known, checked_at = email_check(prev, email)
    if failure is None and math.fsum(days.values()) == 0:
        if checked_at is None or not 0 <= ts - checked_at < USERS_TTL:
            found, n = is_member(client, key, email)
            requests += n
            if found is not None:
                known, checked_at = found, ts
    elif failure is None:
        known, checked_at = True, ts  # costs of this email were found: it is someone's

    cache = {"organization": org, "org_fetched_at": org_at, "email": email, "month": month,
             "days": dict(sorted(days.items())), "day_fetched_at": dict(sorted(fetched_at.items())),
             "email_checked": email, "email_known": known, "email_checked_at": checked_at}
    if failure is not None:
        if same and has_totals(prev):
            return ConsoleRefresh({**prev, **cache, "email": prev["email"]}, failure, requests)
        last_good = prev if mine and has_totals(prev) else None
        pending: dict[str, Any] | None = {**cache, "history": []} if days else None
        return ConsoleRefresh(last_good, failure, requests, pending)

    since = month_start(now).timestamp()
    mtd = round(math.fsum(days.values()), 2)
    history = add_sample(prev.get("history") if same else [], ts, mtd, since)
    per_hour, window = rate(history, mtd, ts, since)
    console = {
        "organization": org,
        "org_fetched_at": org_at,
        "email": email,
        "month": month,
        "mtd_usd": mtd,
        "rate_usd_per_hour": round(per_hour, 4),
        "rate_window": window,
        "projected_usd": round(projection(mtd, per_hour, now, tz), 2),
        "days": cache["days"],
        "day_fetched_at": cache["day_fetched_at"],
        "history": history,
        "email_checked": email,
        "email_known": known,
        "email_checked_at": checked_at,
    }
    return ConsoleRefresh(console, None, requests)


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
