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

This module holds the Admin API calls and their order; every rule about the numbers (which
records count, which days may move, the rate, the projection, what a failure keeps) is a pure
function in ``core/spend``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timezone, tzinfo
from typing import Any

from statusline.cache.paths import Paths
from statusline.core import clean, spend
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
Console = spend.Console


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
        cents += spend.user_cents(body["data"], email, day.isoformat())
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
        if any(isinstance(u, dict) and spend.same_email(u.get("email"), email) for u in body["data"]):
            return True, n
        last = body.get("last_id")
        if body.get("has_more") is not True or not isinstance(last, str) or not last or last in seen:
            return (False if body.get("has_more") is not True else None), n
        seen.add(last)
        after = last
    return None, n


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
    p = spend.prior(previous, email, now)
    days, fetched_at = dict(p.days), dict(p.fetched_at)
    org, org_at = p.organization, p.org_fetched_at

    requests = 0
    failure: api.Failure | None = None
    if spend.org_due(p, ts, ORG_TTL):
        outcome = client.admin_get(key, ME_PATH)
        requests += 1
        if isinstance(outcome, api.Failure):
            failure = outcome
        else:
            name = clean.text(outcome.body.get("name"), 80) if isinstance(outcome.body, dict) else None
            org, org_at = (name or org), ts

    if failure is None:
        for day in spend.days_to_fetch(fetched_at, now):
            usd, failure, n = fetch_day(client, key, email, day)
            requests += n
            if failure is not None:
                break
            days[day.isoformat()] = round(usd or 0.0, 6)
            fetched_at[day.isoformat()] = ts

    if failure is not None:
        known, checked_at = spend.email_check(p.previous, email)
    else:
        known, checked_at, ask = spend.membership(p, email, days, ts, USERS_TTL)
        if ask:
            found, n = is_member(client, key, email)
            requests += n
            if found is not None:
                known, checked_at = found, ts

    cache = spend.record(email, now, org, org_at, days, fetched_at, known, checked_at)
    if failure is not None:
        shown, pending = spend.after_failure(p, cache)
        return ConsoleRefresh(shown, failure, requests, pending)
    return ConsoleRefresh(spend.totals(p, cache, now, tz), None, requests)
