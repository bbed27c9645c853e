"""Burn rate, ETA and pace per window: pure functions of samples and an injected clock.

Inputs are history samples ``(time, key, name, utilization, resets_at)`` (see ``history``).
For one window only the samples of its *current* window count (same key and name, reset
within ``SAME_WINDOW_S``), and only those of the recent past (``LOOKBACK_S``, the last hour).
Within one window utilization never goes down, so the samples are first made monotone
(running maximum): a source replaying an older, lower number cannot bend the slope.

- ``rate_per_hour``: least-squares slope in percentage points per hour, never negative;
  None ("not enough data") without at least two samples at least ``MIN_SPAN_S`` apart.
- ``eta``: when 100 % is reached at that rate (now, when already there); None when the rate
  is None or zero.
- ``hits_limit_before_reset``: at or over 100 %, or the ETA lies before the reset.
- even pace: where usage would be now if spread evenly over the window (elapsed / length ×
  100, length 5 h or 7 d); ``pace_delta`` = utilization − pace (+12 = 12 points ahead).
  With ``weekdays=True`` the 7-day pace counts Monday–Friday only, like Pace Maker's.

The JSON object of ``--format json`` (``to_json``)::

    F = {"rate_per_hour": float | null, "eta": ISO-8601 | null,
         "hits_limit_before_reset": bool, "pace_delta": float | null, "samples": int}

The line view carries ``view["forecast"] = {"five_hour": P | None, "seven_day": P | None}``,
computed by the fetcher, with plain values only so the hot path reads it with marshal
(``to_view``)::

    P = {"rate": float | None,      # percentage points per hour
         "eta": float | None,       # epoch seconds when 100 % is reached
         "hits": bool,              # hits_limit_before_reset
         "pace_delta": float | None,
         "samples": int,
         "resets": float | None,    # the reset of the window this forecast is about
         "at": float,               # epoch seconds it was computed
         "eta_hm": str | None,      # the ETA as local wall-clock time, "13:10"
         "eta_day": str | None}     # the same with the weekday, "Tue 13:10"

The clock strings are formatted here (local time of the fetcher) so that ``segments`` needs
neither ``datetime`` nor any import.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any

from statusline.core.readings import same_window  # the one "same window" rule

LOOKBACK_S = 3600.0
MIN_SPAN_S = 60.0
MIN_SAMPLES = 2
LENGTH = {"five_hour": 5 * 3600.0, "seven_day": 7 * 86400.0, "scoped": 7 * 86400.0,
          "routines": 7 * 86400.0}
VIEW_KEYS = ("five_hour", "seven_day")
MIN_SPAN_ENV = "CLAUDE_USAGE_FORECAST_MIN_SPAN"  # seconds; a seam for tests that cannot wait a minute
PACE_ENV = "CLAUDE_USAGE_PACE"  # "weekdays": 7-day pace over Monday-Friday only

@dataclass(frozen=True)
class Forecast:
    key: str
    name: str | None
    utilization: float
    resets_at: float | None
    rate_per_hour: float | None
    eta: float | None
    hits_limit_before_reset: bool
    pace: float | None
    pace_delta: float | None
    samples: int
    at: float


def weekday_seconds(start: float, end: float, tz: tzinfo | None = None) -> float:
    """Seconds in [start, end) falling on Mon-Fri in ``tz`` (None: the local zone, DST-aware)."""
    total, t = 0.0, start
    while t < end:
        day = datetime.fromtimestamp(t, tz)
        nd = day.date() + timedelta(days=1)
        midnight = datetime(nd.year, nd.month, nd.day, tzinfo=tz).timestamp()
        stop = min(end, midnight if midnight > t else t + 3600)
        if day.weekday() < 5:
            total += stop - t
        t = stop
    return total




def window_points(samples: Iterable[Sequence[Any]], key: str, name: str | None, resets: float | None,
                  now: float, lookback: float = LOOKBACK_S) -> list[tuple[float, float]]:
    """(time, utilization) of the current window's samples in ``[now - lookback, now]``, made
    monotone (running maximum) and sorted by time."""
    pts = sorted((float(s[0]), float(s[3])) for s in samples
                 if s[1] == key and s[2] == name and same_window(s[4], resets) and now - lookback <= s[0] <= now)
    out: list[tuple[float, float]] = []
    top = -math.inf
    for t, u in pts:
        top = max(top, u)
        out.append((t, top))
    return out


def rate(points: Sequence[tuple[float, float]], min_span: float = MIN_SPAN_S) -> float | None:
    """Least-squares slope in points per hour (never negative), or None without enough data."""
    if len(points) < MIN_SAMPLES or points[-1][0] - points[0][0] < min_span:
        return None
    n = len(points)
    mt = sum(t for t, _ in points) / n
    mu = sum(u for _, u in points) / n
    var = sum((t - mt) ** 2 for t, _ in points)
    if var <= 0:
        return None
    slope = sum((t - mt) * (u - mu) for t, u in points) / var * 3600.0
    return max(0.0, slope) if math.isfinite(slope) else None


def even_pace(key: str, resets: float | None, now: float, *, weekdays: bool = False,
              tz: tzinfo | None = None) -> float | None:
    """Where usage would be now if spread evenly over the window (0-100), or None."""
    length = LENGTH.get(key)
    if length is None or resets is None:
        return None
    start = resets - length
    if weekdays and length == LENGTH["seven_day"]:

        total = weekday_seconds(start, resets, tz)
        if total <= 0:
            return None
        return min(100.0, max(0.0, weekday_seconds(start, min(max(now, start), resets), tz) / total * 100))
    return min(100.0, max(0.0, (now - start) / length * 100))


def forecast(samples: Iterable[Sequence[Any]], key: str, name: str | None, utilization: float,
             resets: float | None, now: float, *, lookback: float = LOOKBACK_S,
             min_span: float = MIN_SPAN_S, weekdays: bool = False, tz: tzinfo | None = None,
             observed_at: float | None = None) -> Forecast:
    """The forecast for one window whose current reading is ``utilization`` / ``resets``.

    ``observed_at``, when known, is when that reading was taken: it counts as one more point
    (history drops repeats of an unchanged reading, the fact that it held until then stays).
    """
    extra = [] if observed_at is None else [(observed_at, key, name, utilization, resets)]
    pts = window_points([*samples, *extra], key, name, resets, now, lookback)
    r = rate(pts, min_span)
    util = float(utilization)
    eta: float | None = None
    if util >= 100:
        eta = now
    elif r is not None and r > 0:
        eta = now + (100.0 - util) / r * 3600.0
    if util >= 100:
        hits = True
    elif eta is None:
        hits = False
    else:
        hits = resets is None or eta < resets
    pace = even_pace(key, resets, now, weekdays=weekdays, tz=tz)
    delta = None if pace is None else round(util - pace, 1)
    return Forecast(key, name, util, resets, None if r is None else round(r, 2), eta, hits,
                    None if pace is None else round(pace, 1), delta, len(pts), now)


def _iso(epoch: float | None) -> str | None:
    if epoch is None:
        return None
    frac = ("%.3f" % (epoch % 1))[1:]
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch)) + frac + "+00:00"


def _finite(x: Any) -> float | None:
    if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x):
        return None
    return float(x)


def to_json(f: Forecast | None) -> dict[str, Any] | None:
    """The ``--format json`` object F (strict JSON: no NaN, no infinity)."""
    if f is None:
        return None
    return {"rate_per_hour": _finite(f.rate_per_hour), "eta": _iso(_finite(f.eta)),
            "hits_limit_before_reset": bool(f.hits_limit_before_reset),
            "pace_delta": _finite(f.pace_delta), "samples": int(f.samples)}


def to_view(f: Forecast | None) -> dict[str, Any] | None:
    """The plain dict the line view carries (marshal-safe: floats, bools, ints, str, None)."""
    if f is None:
        return None
    eta = _finite(f.eta)
    local = time.localtime(eta) if eta is not None else None
    return {"rate": _finite(f.rate_per_hour), "eta": eta, "hits": bool(f.hits_limit_before_reset),
            "pace_delta": _finite(f.pace_delta), "samples": int(f.samples), "resets": _finite(f.resets_at),
            "at": float(f.at), "eta_hm": time.strftime("%H:%M", local) if local else None,
            "eta_day": time.strftime("%a %H:%M", local) if local else None}


def view_to_json(p: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """F from a line view's plain forecast P."""
    if not isinstance(p, Mapping):
        return None
    samples = p.get("samples")
    return {"rate_per_hour": _finite(p.get("rate")), "eta": _iso(_finite(p.get("eta"))),
            "hits_limit_before_reset": p.get("hits") is True, "pace_delta": _finite(p.get("pace_delta")),
            "samples": samples if isinstance(samples, int) and not isinstance(samples, bool) else 0}


def options(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """``min_span`` and ``weekdays`` from the environment."""
    env = os.environ if env is None else env
    try:
        span = max(1.0, float(env.get(MIN_SPAN_ENV) or MIN_SPAN_S))
    except ValueError:
        span = MIN_SPAN_S
    return {"min_span": span, "weekdays": (env.get(PACE_ENV) or "").strip().lower() == "weekdays"}


def for_windows(samples: Sequence[Sequence[Any]], windows: Iterable[Sequence[Any]], now: float,
                env: Mapping[str, str] | None = None, observed_at: float | None = None
                ) -> dict[str, Forecast | None]:
    """Forecasts of the 5-hour and 7-day windows among line-view ``windows`` (key, name, util, resets),
    read at ``observed_at``; a full reading (key, name, util, resets, observed_at, source) says
    itself when it was read."""
    opts = options(env)
    out: dict[str, Forecast | None] = {k: None for k in VIEW_KEYS}
    for w in windows:
        if w[0] in VIEW_KEYS and _finite(w[2]) is not None:
            seen = _finite(w[4]) if len(w) >= 6 else observed_at
            out[w[0]] = forecast(samples, w[0], w[1], float(w[2]), _finite(w[3]), now, observed_at=seen, **opts)
    return out


def for_view(samples: Sequence[Sequence[Any]], windows: Iterable[Sequence[Any]], now: float,
             env: Mapping[str, str] | None = None, observed_at: float | None = None
             ) -> dict[str, dict[str, Any] | None]:
    """``view["forecast"]``: the plain forecasts of the 5-hour and 7-day windows."""
    return {k: to_view(f) for k, f in for_windows(samples, windows, now, env, observed_at).items()}
