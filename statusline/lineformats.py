"""Machine-readable line formats: ``--format json`` (contract, schema 1) and ``waybar``.

Off the prompt's hot path (they import ``json``), but still fed by the same line view.
The JSON keys are a contract tested exactly: add keys, never rename or drop them.
"""

from __future__ import annotations

import json
import time
from typing import Any

from . import segments

SCHEMA = 1


def _iso(epoch: float | None) -> str | None:
    if epoch is None:
        return None
    frac = ("%.3f" % (epoch % 1))[1:]
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch)) + frac + "+00:00"


def _window(w: Any) -> dict[str, Any] | None:
    if not w:
        return None
    return {"utilization": float(w[2]), "resets_at": _iso(w[3])}


def document(view: dict[str, Any] | None, now: float, has_credentials: bool, note: str | None) -> dict[str, Any]:
    """The ``--format json`` object."""
    v = view or {}
    windows = v.get("windows") or []
    by_key = {w[0]: w for w in windows if w[0] in ("five_hour", "seven_day")}
    fetched = v.get("fetched")
    status = segments.status(view, now, has_credentials)
    error = v.get("error") if v.get("status") not in (None, "ok") else None
    console = v.get("console")
    return {
        "schema": SCHEMA,
        "mode": v.get("mode"),
        "status": status,
        "fetched_at": _iso(fetched),
        "age_seconds": None if fetched is None else round(max(0.0, now - fetched), 1),
        "five_hour": _window(by_key.get("five_hour")),
        "seven_day": _window(by_key.get("seven_day")),
        "weekly_scoped": [
            {"name": w[1], "utilization": float(w[2]), "resets_at": _iso(w[3])}
            for w in windows if w[0] == "scoped"
        ],
        "extra_usage": next(
            ({"utilization": float(w[2]), "currency": w[1]} for w in windows if w[0] == "extra"), None
        ),
        "source": v.get("source"),
        "backoff_until": _iso(v.get("backoff_until")),
        "error": error or note or ("no credentials found" if status == "no_credentials" and not view else None),
        "console": None if not console else {
            "email": console.get("email"),
            "month": console.get("month"),
            "mtd_usd": console.get("mtd"),
            "rate_usd_per_hour": console.get("rate"),
            "rate_window": console.get("window"),
            "projected_usd": console.get("projected"),
        },
        "pace_maker": v.get("pace"),
        "forecast": _forecast(v, by_key),
    }


def _forecast(v: dict[str, Any], by_key: dict[str, Any]) -> dict[str, Any]:
    """``{"five_hour": F or null, "seven_day": F or null}`` (see ``forecast``), for current windows."""
    from . import forecast

    fc = v.get("forecast")
    fc = fc if isinstance(fc, dict) else {}
    out: dict[str, Any] = {}
    for key in forecast.VIEW_KEYS:
        p, w = fc.get(key), by_key.get(key)
        same = isinstance(p, dict) and w is not None and (
            (p.get("resets") is None and w[3] is None)
            or (p.get("resets") is not None and w[3] is not None
                and abs(p["resets"] - w[3]) <= segments.FORECAST_MATCH_S))
        out[key] = forecast.view_to_json(p) if same else None
    return out


def waybar(view: dict[str, Any] | None, now: float, has_credentials: bool, note: str | None) -> dict[str, Any]:
    """Waybar/i3blocks-style JSON: text, tooltip, class, percentage."""
    spans = segments.build(view, now, "plain", has_credentials, note)
    text = "".join(t for t, _ in spans)
    picked = segments.pick_windows((view or {}).get("windows"))
    pct = segments.percent(picked[0][2]) if picked else 0
    worst = "ok"
    order = ("ok", "warn", "high", "crit")
    for _, lvl in spans:
        if lvl in order and order.index(lvl) > order.index(worst):
            worst = lvl
    doc = document(view, now, has_credentials, note)
    tip = [f"status: {doc['status']}"]
    for key, label in (("five_hour", "5-hour"), ("seven_day", "7-day")):
        if doc[key]:
            tip.append(f"{label}: {doc[key]['utilization']:.0f}% (resets {doc[key]['resets_at']})")
    if doc["error"]:
        tip.append(f"error: {doc['error']}")
    return {"text": text, "tooltip": "\n".join(tip), "class": [worst, doc["status"]], "percentage": pct}


def render(fmt: str, view: dict[str, Any] | None, now: float, has_credentials: bool, note: str | None) -> str:
    fn = waybar if fmt == "waybar" else document
    return json.dumps(fn(view, now, has_credentials, note), ensure_ascii=False, allow_nan=False)
