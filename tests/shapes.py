"""Usage bodies in the shapes the live endpoint hands out in 2026 (interfaces.md section 2),
with times relative to ``now`` so they stay current."""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Any


def iso(t: float) -> str:
    return datetime.fromtimestamp(t, tz=timezone.utc).isoformat()


def limit(kind: str, pct: float, resets: float | None, *, model: str | None = None, active: bool = True,
          group: str = "weekly", severity: str = "normal") -> dict[str, Any]:
    scope = None if model is None else {"model": {"id": None, "display_name": model}, "surface": None}
    return {"kind": kind, "group": group, "percent": pct, "severity": severity,
            "resets_at": None if resets is None else iso(resets), "scope": scope, "is_active": active}


NULLS = {"seven_day_oauth_apps": None, "seven_day_opus": None, "seven_day_sonnet": None, "iguana_necktie": None,
         "seven_day_omelette": None}


def limits_only(now: float | None = None) -> dict[str, Any]:
    """An account that answers only ``limits[]``: no flat five_hour/seven_day at all."""
    now = time.time() if now is None else now
    return {"limits": [limit("session", 34, now + 4000, group="session"),
                       limit("weekly_all", 18, now + 4 * 86400, active=False)],
            "extra_usage": {"is_enabled": False}}


def migrated_per_model(now: float | None = None) -> dict[str, Any]:
    """Flat windows, null per-model keys, the per-model numbers only in ``weekly_scoped``
    entries marked ``is_active: false`` (a live capture, 2026-07)."""
    now = time.time() if now is None else now
    return {"five_hour": {"utilization": 12.0, "resets_at": iso(now + 7000)},
            "seven_day": {"utilization": 18.0, "resets_at": iso(now + 4 * 86400)},
            **NULLS,
            "limits": [limit("session", 12, now + 7000, group="session"),
                       limit("weekly_all", 18, now + 4 * 86400, active=False),
                       limit("weekly_scoped", 31, now + 4 * 86400, model="Claude Fable", active=False),
                       limit("weekly_scoped", 3, now + 4 * 86400, model="Opus", active=False)]}


def unknown_kinds(now: float | None = None) -> dict[str, Any]:
    now = time.time() if now is None else now
    return {"five_hour": {"utilization": 40.0, "resets_at": iso(now + 3030)},
            "seven_day": {"utilization": 22.0, "resets_at": iso(now + 2 * 86400)},
            "brand_new_codename": {"utilization": 99, "whatever": [1, 2]},
            "seven_day_routines": {"utilization": 8.0, "resets_at": iso(now + 2 * 86400)},
            "limits": [limit("monthly_mystery", 70, now + 20 * 86400), {"kind": 7}, None, "x",
                       limit("weekly_scoped", 5, now + 2 * 86400, model=None)]}


def float_noise(now: float | None = None) -> dict[str, Any]:
    now = time.time() if now is None else now
    return {"five_hour": {"utilization": 56.99999999999999, "resets_at": iso(now + 3030)},
            "seven_day": {"utilization": 41.00000000000001, "resets_at": iso(now + 2 * 86400)}}


def all_null_enterprise() -> dict[str, Any]:
    return {"five_hour": None, "seven_day": None, **NULLS, "extra_usage": None, "limits": []}


def reset_in_the_past(now: float | None = None) -> dict[str, Any]:
    """After idle: the 5-hour window's reset has passed, its old percentage no longer holds."""
    now = time.time() if now is None else now
    return {"five_hour": {"utilization": 80.0, "resets_at": iso(now - 600)},
            "seven_day": {"utilization": 41.0, "resets_at": iso(now + 2 * 86400)}}


def credits_without_cap() -> dict[str, Any]:
    """Spend-limited: no plan windows, usage credits enabled with no ``monthly_limit``."""
    return {"five_hour": None, "seven_day": None, **NULLS,
            "extra_usage": {"is_enabled": True, "used_credits": 1234, "utilization": None,
                            "currency": "USD", "decimal_places": 2}}
