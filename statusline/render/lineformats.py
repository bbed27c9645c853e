"""Machine-readable line formats: ``--format json`` (contract, schema 1) and ``waybar``.

Off the prompt's hot path (they import ``json``), but still fed by the same line view.
The JSON keys are a contract tested exactly: add keys, never rename or drop them.
"""

from __future__ import annotations

import json
import time
from typing import Any

from statusline.core import readings
from statusline.render import dialects, segments

SCHEMA = 1


def _iso(epoch: Any) -> str | None:
    """UTC ISO-8601 with milliseconds; None for anything that is not a plausible epoch."""
    if not readings.within(epoch, 0.0, readings.EPOCH_MAX):
        return None
    ms = int(round(epoch * 1000))
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms // 1000)) + ".%03d+00:00" % (ms % 1000)


def _window(w: Any, now: float) -> dict[str, Any] | None:
    """One reading as JSON: its number as it stands now (0 once past its reset), where it came
    from and when it was observed."""
    if not w:
        return None
    w = readings.live(w, now)
    return {"utilization": round(float(w[2]), 1), "resets_at": _iso(w[3]), "source": w[5],
            "observed_at": _iso(w[4])}


def _money(m: Any) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    if not isinstance(m, dict):
        return None, None
    c, s = m.get("credits"), m.get("spend")
    credits = None if not isinstance(c, dict) else {
        "utilization": c.get("pct"), "currency": c.get("currency"), "used": c.get("used"), "limit": c.get("limit")}
    spend = None if not isinstance(s, dict) else {
        "utilization": s.get("pct"), "currency": s.get("currency"), "used": s.get("used"), "limit": s.get("limit"),
        "period": s.get("period")}
    return credits, spend


def document(view: dict[str, Any] | None, now: float, has_credentials: bool, note: str | None) -> dict[str, Any]:
    """The ``--format json`` object."""
    v = view or {}
    windows = [w for w in v.get("windows") or [] if readings.is_reading(w)]
    by_key = {w[0]: w for w in windows if w[0] != "scoped"}
    fetched = v.get("fetched")
    status = segments.status(view, now, has_credentials)
    error = v.get("error") if v.get("status") not in (None, "ok") else None
    console = v.get("console")
    credits, spend = _money(v.get("money"))
    return {
        "schema": SCHEMA,
        "kind": "line",  # tells this document from `claude-usage --json` ("kind": "snapshot")
        "mode": v.get("mode"),
        "status": status,
        "fetched_at": _iso(fetched),
        "age_seconds": None if fetched is None else round(max(0.0, now - fetched), 1),
        "five_hour": _window(by_key.get("five_hour"), now),
        "seven_day": _window(by_key.get("seven_day"), now),
        "routines": _window(by_key.get("routines"), now),
        "weekly_scoped": [{"name": w[1], **(_window(w, now) or {})} for w in windows if w[0] == "scoped"],
        "extra_usage": credits,
        "spend": spend,
        "no_plan_limits": bool(v.get("no_limits")),
        "source": v.get("source"),
        "backoff_until": _iso(v.get("backoff_until")),
        "next_call_at": _iso(v.get("next_call")),
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
        "service": v.get("service") if isinstance(v.get("service"), dict) else None,
    }


def _forecast(v: dict[str, Any], by_key: dict[str, Any]) -> dict[str, Any]:
    """``{"five_hour": F or null, "seven_day": F or null}`` (see ``forecast``), for current windows."""
    from statusline.core import forecast

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


def waybar(view: dict[str, Any] | None, now: float, has_credentials: bool, note: str | None,
           numbers: str = "used") -> dict[str, Any]:
    """Waybar/i3blocks-style JSON: text, tooltip, class, percentage. ``numbers="left"`` makes the
    text, the tooltip and ``percentage`` (Waybar's format-icons index) the share left; the class
    stays the level of the share used, as every target colours it."""
    spans = segments.build(view, now, "plain", has_credentials, note, numbers=numbers)
    text = "".join(t for t, _ in spans)
    picked = segments.pick_windows((view or {}).get("windows"), now)
    pct = (segments.left(picked[0][2]) if numbers == "left" else segments.percent(picked[0][2])) if picked else 0
    worst = "ok"
    order = ("ok", "warn", "high", "crit")
    for _, lvl in spans:
        if lvl in order and order.index(lvl) > order.index(worst):
            worst = lvl
    doc = document(view, now, has_credentials, note)
    tip = [f"status: {doc['status']}"]
    by_key = {w[0]: readings.live(w, now) for w in (view or {}).get("windows") or ()
              if readings.is_reading(w) and w[0] in ("five_hour", "seven_day")}
    for key, label in (("five_hour", "5-hour"), ("seven_day", "7-day")):
        if doc[key]:
            util = doc[key]["utilization"]
            shown = f"{segments.left(util)}% left" if numbers == "left" else f"{segments.percent(util)}%"
            tip.append(f"{label}: {shown} (resets {_local_time(by_key[key][3], now)})")
    if doc["error"]:
        tip.append(f"error: {doc['error']}")
    # Waybar reads text and tooltip as Pango markup (its "escape" defaults to false): safe by itself.
    return {"text": dialects.pango_text(text), "tooltip": "\n".join(map(dialects.pango_text, tip)),
            "class": [worst, doc["status"]], "percentage": pct}


def _local_time(epoch: float | None, now: float) -> str:
    """A reset for people: ``14:05`` today, ``Thu 14:05`` this week, ``28 Nov 14:05`` later (local time)."""
    if epoch is None:
        return "unknown"
    at, today = time.localtime(epoch), time.localtime(now)
    if at[:3] == today[:3]:
        return time.strftime("%H:%M", at)
    return time.strftime("%a %H:%M" if 0 < epoch - now < 6 * 86400 else "%d %b %H:%M", at)


def render(fmt: str, view: dict[str, Any] | None, now: float, has_credentials: bool, note: str | None,
           numbers: str = "used") -> str:
    """``--format waybar`` (a view: ``numbers`` applies) or ``json`` (data: always the share used,
    under ``utilization``, whatever ``numbers`` says)."""
    doc = waybar(view, now, has_credentials, note, numbers) if fmt == "waybar" else document(
        view, now, has_credentials, note)
    return json.dumps(_strict(doc), ensure_ascii=False, allow_nan=False)


def _strict(obj: Any) -> Any:
    """The document with any non-finite number (never valid JSON) as null."""
    if isinstance(obj, float):
        return obj if obj == obj and obj not in (float("inf"), float("-inf")) else None
    if isinstance(obj, dict):
        return {k: _strict(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_strict(v) for v in obj]
    return obj
