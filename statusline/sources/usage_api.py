"""The usage API's bodies as the typed model, tolerating whatever the undocumented endpoint sends.

Rules (interfaces.md section 2): unknown keys and kinds are ignored; any window may be ``null``;
``{"utilization": 0.0, "resets_at": null}`` is a placeholder, not a reading; utilization may
exceed 100 and arrives with float noise; flat keys come first and ``limits[]`` fills what they
lack (``session`` is the 5-hour window, ``weekly_all`` the 7-day one, ``weekly_scoped`` a
per-model weekly limit by display name); ``is_active: false`` entries are real readings;
money is in minor units. Every string is cleaned and every number range-checked here.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from statusline.core import clean
from statusline.core.model import NAME_MAX, ExtraUsage, Profile, ScopedLimit, Spend, Usage, Window, parse_iso, utc

_SCOPED_KEYS = {"seven_day_opus": "Opus", "seven_day_sonnet": "Sonnet"}
_ROUTINES_KEYS = ("seven_day_cowork", "seven_day_routines")
# A reset further from the observation than this is not a reset time we believe.
RESET_PAST = timedelta(days=400)
RESET_AHEAD = timedelta(days=40)


class BadBody(ValueError):
    """The body is not the shape we can read at all (not an object)."""


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _reset(value: Any, observed: datetime | None) -> datetime | None:
    """An ISO reset time (epoch numbers tolerated), None when absent or implausible."""
    at = parse_iso(value)
    if at is None:
        e = clean.epoch(value)
        at = utc(e) if e is not None else None
    if at is None or observed is None:
        return at
    return at if observed - RESET_PAST <= at <= observed + RESET_AHEAD else None


def _window(util: Any, resets: Any, observed: datetime | None, source: str) -> Window | None:
    u = clean.percent(util)
    if u is None:
        return None
    at = _reset(resets, observed)
    if at is None and u == 0.0:
        return None  # a placeholder, not a reading
    return Window(utilization=u, resets_at=at, observed_at=observed, source=source)


def window(raw: Any, observed: datetime | None = None, source: str = "api") -> Window | None:
    """A real reading, or None for null, malformed or placeholder windows."""
    if not isinstance(raw, dict):
        return None
    return _window(raw.get("utilization"), raw.get("resets_at"), observed, source)


def scope_name(entry: dict[str, Any]) -> str | None:
    """A ``weekly_scoped`` entry's model name, cleaned; "Claude Fable" is shown as "Fable"."""
    scope = _obj(entry.get("scope"))
    model = _obj(scope.get("model"))
    for key in ("display_name", "id"):
        name = clean.text(model.get(key), NAME_MAX)
        if name:
            return name[7:] if name.startswith("Claude ") and len(name) > 7 else name
    return None


def extra_usage(raw: Any) -> ExtraUsage | None:
    """Usage credits; money from minor units. A missing ``monthly_limit`` means no cap."""
    if not isinstance(raw, dict):
        return None
    places = raw.get("decimal_places")
    scale = 10 ** places if isinstance(places, int) and not isinstance(places, bool) and 0 <= places <= 6 else 100

    def money(key: str) -> float | None:
        v = clean.minor_units(raw.get(key))
        return None if v is None else v / scale

    return ExtraUsage(
        enabled=raw.get("is_enabled") is True,
        monthly_limit=money("monthly_limit"),
        used=money("used_credits"),
        utilization=clean.percent(raw.get("utilization")),
        currency=clean.text(raw.get("currency"), 8) or "USD",
        disabled_reason=clean.text(raw.get("disabled_reason"), 60),
    )


def _minor(raw: Any) -> tuple[float | None, str | None]:
    """``{"amount_minor", "currency", "exponent"}`` as (amount, currency)."""
    if not isinstance(raw, dict):
        return clean.finite(raw, 0), None
    exp = raw.get("exponent")
    exp = exp if isinstance(exp, int) and not isinstance(exp, bool) and 0 <= exp <= 6 else 2
    amount = clean.finite(raw.get("amount_minor"), 0)
    return (None if amount is None else amount / 10**exp), clean.text(raw.get("currency"), 8)


def spend(raw: Any, observed: datetime | None, source: str = "api") -> Spend | None:
    if not isinstance(raw, dict) or raw.get("enabled") is False:
        return None
    used, cur = _minor(raw.get("used"))
    limit, cur2 = _minor(raw.get("limit"))
    pct = clean.percent(raw.get("percent"))
    if pct is None and used is None:
        return None
    return Spend(percent=pct, used=used, limit=limit, currency=cur or cur2 or "USD",
                 period=clean.text(raw.get("period"), 20), observed_at=observed, source=source)


def usage(body: Any, observed: datetime | None = None, source: str = "api") -> Usage:
    """Parse a usage body observed at ``observed``. Raises BadBody only when it is not an object."""
    if not isinstance(body, dict):
        raise BadBody("usage response is not a JSON object")
    five = window(body.get("five_hour"), observed, source)
    seven = window(body.get("seven_day"), observed, source)
    routines = None
    for key in _ROUTINES_KEYS:
        routines = routines or window(body.get(key), observed, source)
    scoped: dict[str, Window] = {}
    for key, name in _SCOPED_KEYS.items():
        w = window(body.get(key), observed, source)
        if w is not None:
            scoped[name] = w
    from_limits: dict[str, Window] = {}
    limits = body.get("limits")
    for entry in limits if isinstance(limits, list) else ():
        if not isinstance(entry, dict):
            continue
        pct = entry.get("percent") if entry.get("percent") is not None else entry.get("utilization")
        w = _window(pct, entry.get("resets_at"), observed, source)  # is_active says nothing of validity
        kind = entry.get("kind")
        if w is None or not isinstance(kind, str):
            continue
        if kind == "session":
            five = five or w
        elif kind == "weekly_all":
            seven = seven or w
        elif kind == "weekly_scoped":
            label = scope_name(entry)
            if label and (label not in from_limits or w.utilization > from_limits[label].utilization):
                from_limits[label] = w
    for label, w in from_limits.items():
        scoped.setdefault(label, w)  # the flat keys first, limits[] fills what they lack
    usage = Usage(
        five_hour=five,
        seven_day=seven,
        routines=routines,
        scoped=tuple(ScopedLimit(name=n, window=w) for n, w in sorted(scoped.items())),
        extra=extra_usage(body.get("extra_usage")),
        spend=spend(body.get("spend"), observed, source),
    )
    if not usage.windows() and not (usage.extra and usage.extra.enabled) and usage.spend is None:
        return Usage(extra=usage.extra, no_limits=True)
    return usage


def profile(body: Any, tier_hint: str | None = None) -> Profile:
    """Parse ``/api/oauth/profile``; the credentials' ``rateLimitTier`` fills a missing tier."""
    if not isinstance(body, dict):
        raise BadBody("profile response is not a JSON object")
    account = _obj(body.get("account"))
    org = _obj(body.get("organization"))
    return Profile(
        display_name=clean.text(account.get("display_name"), 80),
        full_name=clean.text(account.get("full_name"), 80),
        email=clean.text(account.get("email"), 120) or clean.text(account.get("email_address"), 120),
        account_uuid=clean.text(account.get("uuid"), 64),
        organization=clean.text(org.get("name"), 80),
        organization_type=clean.text(org.get("organization_type"), 40),
        has_claude_max=account.get("has_claude_max") is True,
        has_claude_pro=account.get("has_claude_pro") is True,
        rate_limit_tier=clean.text(org.get("rate_limit_tier"), 60) or clean.text(tier_hint, 60),
    )
