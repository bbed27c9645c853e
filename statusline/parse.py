"""Turn API bodies into the typed model, tolerating whatever the undocumented endpoints send.

Rules (interfaces.md section 2): unknown keys are ignored, any window may be ``null``, a window
``{"utilization": 0.0, "resets_at": null}`` is a placeholder and not a reading, utilization may
exceed 100, money in ``extra_usage`` is in minor units.
"""

from __future__ import annotations

from typing import Any

from .model import ExtraUsage, Profile, ScopedLimit, Usage, Window, _num, parse_iso

_SCOPED_KEYS = {"seven_day_opus": "Opus", "seven_day_sonnet": "Sonnet"}


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


class BadBody(ValueError):
    """The body is not the shape we can read at all (not an object)."""


def window(raw: Any) -> Window | None:
    """A real reading, or None for null, malformed or placeholder windows."""
    w = Window.from_dict(raw)
    if w is None:
        return None
    if w.resets_at is None and w.utilization == 0.0:
        return None
    return w


def _limit_window(entry: dict[str, Any]) -> Window | None:
    pct = _num(entry.get("percent"))
    if pct is None:
        pct = _num(entry.get("utilization"))
    if pct is None or entry.get("is_active") is False:
        return None
    resets = parse_iso(entry.get("resets_at"))
    if resets is None and pct == 0.0:
        return None
    return Window(utilization=pct, resets_at=resets)


def _scope_name(entry: dict[str, Any]) -> str | None:
    scope = entry.get("scope")
    if not isinstance(scope, dict):
        return None
    model = scope.get("model")
    if isinstance(model, dict):
        for key in ("display_name", "id"):
            if isinstance(model.get(key), str) and model[key]:
                return str(model[key])
    return None


def extra_usage(raw: Any) -> ExtraUsage | None:
    if not isinstance(raw, dict):
        return None
    places = raw.get("decimal_places")
    scale = 10 ** places if isinstance(places, int) and 0 <= places <= 6 else 100

    def money(key: str) -> float | None:
        v = _num(raw.get(key))
        return None if v is None else v / scale

    return ExtraUsage(
        enabled=raw.get("is_enabled") is True,
        monthly_limit=money("monthly_limit"),
        used=money("used_credits"),
        utilization=_num(raw.get("utilization")),
        currency=_text(raw.get("currency")) or "USD",
    )


def usage(body: Any) -> Usage:
    """Parse ``/api/oauth/usage``. Raises BadBody only when the body is not an object."""
    if not isinstance(body, dict):
        raise BadBody("usage response is not a JSON object")
    five = window(body.get("five_hour"))
    seven = window(body.get("seven_day"))
    scoped: dict[str, Window] = {}
    for key, name in _SCOPED_KEYS.items():
        w = window(body.get(key))
        if w is not None:
            scoped[name] = w
    limits = body.get("limits")
    if isinstance(limits, list):
        for entry in limits:
            if not isinstance(entry, dict):
                continue
            kind = entry.get("kind")
            w = _limit_window(entry)
            if w is None:
                continue
            if kind == "session" and five is None:
                five = w
            elif kind == "weekly_all" and seven is None:
                seven = w
            elif kind == "weekly_scoped":
                label = _scope_name(entry)
                if label and (label not in scoped or w.utilization > scoped[label].utilization):
                    scoped[label] = w
    return Usage(
        five_hour=five,
        seven_day=seven,
        scoped=tuple(ScopedLimit(name=n, window=w) for n, w in sorted(scoped.items())),
        extra=extra_usage(body.get("extra_usage")),
    )


def profile(body: Any, tier_hint: str | None = None) -> Profile:
    """Parse ``/api/oauth/profile``; the credentials' ``rateLimitTier`` fills a missing tier."""
    if not isinstance(body, dict):
        raise BadBody("profile response is not a JSON object")
    account = _obj(body.get("account"))
    org = _obj(body.get("organization"))

    def s(d: dict[str, Any], key: str) -> str | None:
        v = d.get(key)
        return v if isinstance(v, str) and v else None

    return Profile(
        display_name=s(account, "display_name"),
        full_name=s(account, "full_name"),
        email=s(account, "email") or s(account, "email_address"),
        account_uuid=s(account, "uuid"),
        organization=s(org, "name"),
        organization_type=s(org, "organization_type"),
        has_claude_max=account.get("has_claude_max") is True,
        has_claude_pro=account.get("has_claude_pro") is True,
        rate_limit_tier=s(org, "rate_limit_tier") or tier_hint,
    )
