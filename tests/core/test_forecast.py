"""Forecast math with a fixed clock: rate, ETA, hits-before-reset, pace; and the line's marker."""

from __future__ import annotations

import json
import math
import time
from datetime import datetime, timezone

import pytest

from statusline.core import forecast
from statusline.render import dialects, lineformats, segments

NOW = 1_800_000_000.0
RESET = NOW + 6000  # 1 h 40 m left of the 5-hour window
H = 3600.0


def climb(start_util: float, per_hour: float, *, every: float = 300, span: float = H, key: str = "five_hour",
          resets: float | None = RESET, name: str | None = None) -> list[tuple]:
    n = int(span // every) + 1
    return [(NOW - span + i * every, key, name, start_util + per_hour * (i * every) / H, resets) for i in range(n)]


def test_steady_climb_rate_eta_and_hits():
    s = climb(40.0, 36.0)  # 40 -> 76 over the last hour
    f = forecast.forecast(s, "five_hour", None, 76.0, RESET, NOW)
    assert f.rate_per_hour == pytest.approx(36.0, abs=0.01)
    assert f.eta == pytest.approx(NOW + 24 / 36 * H)
    assert f.hits_limit_before_reset is True
    assert f.samples == 13
    assert f.pace == pytest.approx((5 * H - 6000) / (5 * H) * 100, abs=0.1)
    assert f.pace_delta == pytest.approx(76.0 - f.pace, abs=0.1)


def test_slow_climb_does_not_hit_before_reset():
    f = forecast.forecast(climb(40.0, 6.0), "five_hour", None, 46.0, RESET, NOW)
    assert f.rate_per_hour == pytest.approx(6.0)
    assert f.eta is not None and f.eta > RESET and f.hits_limit_before_reset is False


def test_flat_gives_zero_and_false():
    f = forecast.forecast(climb(55.0, 0.0), "five_hour", None, 55.0, RESET, NOW)
    assert f.rate_per_hour == 0.0 and f.eta is None and f.hits_limit_before_reset is False


def test_at_or_over_the_limit_hits():
    f = forecast.forecast([], "five_hour", None, 100.0, RESET, NOW)
    assert f.hits_limit_before_reset is True and f.rate_per_hour is None and f.eta == NOW
    assert forecast.forecast([], "five_hour", None, 130.0, RESET, NOW).hits_limit_before_reset


def test_not_enough_data():
    one = [(NOW - 30, "five_hour", None, 50.0, RESET)]
    close = one + [(NOW - 10, "five_hour", None, 52.0, RESET)]  # two samples, 20 s apart
    for s in ([], one, close):
        f = forecast.forecast(s, "five_hour", None, 52.0, RESET, NOW)
        assert f.rate_per_hour is None and f.eta is None and f.hits_limit_before_reset is False
    assert forecast.forecast(close, "five_hour", None, 52.0, RESET, NOW, min_span=10).rate_per_hour is not None


def test_only_the_current_window_and_the_last_hour_count():
    old_window = climb(0.0, 90.0, resets=RESET - 5 * H)  # the previous 5-hour window, steep
    older = [(NOW - 3 * H, "five_hour", None, 1.0, RESET)]  # too long ago
    other = climb(0.0, 90.0, key="seven_day", resets=NOW + 3 * 86400)
    jitter = [(s[0], s[1], s[2], s[3], s[4] + 0.7) for s in climb(10.0, 12.0)]  # same reset, ms apart
    f = forecast.forecast(old_window + older + other + jitter, "five_hour", None, 22.0, RESET, NOW)
    assert f.rate_per_hour == pytest.approx(12.0) and f.samples == 13


def test_a_lagging_source_cannot_bend_the_slope_down():
    s = climb(40.0, 36.0)
    lagging = [(t + 1, k, n, u - 20, r) for t, k, n, u, r in s[6:]]  # an idle session replays old numbers
    f = forecast.forecast(s + lagging, "five_hour", None, 76.0, RESET, NOW)
    assert f.rate_per_hour == pytest.approx(36.0, rel=0.05)


def test_noise_is_averaged_not_followed():
    s = [(t, k, n, u + (0.8 if i % 2 else -0.8), r) for i, (t, k, n, u, r) in enumerate(climb(40.0, 24.0, every=60))]
    f = forecast.forecast(s, "five_hour", None, 64.0, RESET, NOW)
    assert f.rate_per_hour == pytest.approx(24.0, rel=0.1)


def test_even_pace_and_weekday_pace():
    resets = NOW + 86400 * 3.5  # half of the 7-day window has passed
    assert forecast.even_pace("seven_day", resets, NOW) == pytest.approx(50.0)
    assert forecast.even_pace("five_hour", NOW + 5 * H, NOW) == 0.0
    assert forecast.even_pace("five_hour", NOW - 10, NOW) == 100.0
    assert forecast.even_pace("extra", NOW, NOW) is None
    utc = timezone.utc
    # A window from Saturday 00:00 to the next Saturday: on Monday 00:00 no weekday time has passed.
    sat = datetime(2026, 11, 21, tzinfo=utc).timestamp()
    mon = sat + 2 * 86400
    assert forecast.even_pace("seven_day", sat + 7 * 86400, mon, weekdays=True, tz=utc) == 0.0
    assert forecast.even_pace("seven_day", sat + 7 * 86400, mon + 86400 * 2.5, weekdays=True, tz=utc) == pytest.approx(50.0)
    assert forecast.even_pace("seven_day", sat + 7 * 86400, mon, tz=utc) == pytest.approx(200 / 7, abs=0.01)


def test_json_object_and_view_shape():
    f = forecast.forecast(climb(40.0, 36.0), "five_hour", None, 76.0, RESET, NOW)
    F = forecast.to_json(f)
    assert set(F) == {"rate_per_hour", "eta", "hits_limit_before_reset", "pace_delta", "samples"}
    assert F["eta"].endswith("+00:00") and F["hits_limit_before_reset"] is True
    json.dumps(F, allow_nan=False)
    P = forecast.to_view(f)
    assert set(P) == {"rate", "eta", "hits", "pace_delta", "samples", "resets", "at", "eta_hm", "eta_day"}
    assert all(v is None or isinstance(v, (int, float, str, bool)) for v in P.values())
    assert P["eta_hm"] == time.strftime("%H:%M", time.localtime(P["eta"]))
    assert forecast.view_to_json(P) == F
    assert forecast.to_json(forecast.Forecast("five_hour", None, 1.0, None, math.nan, math.inf, False, None,
                                              math.nan, 0, NOW))["rate_per_hour"] is None


def test_options_from_env():
    assert forecast.options({}) == {"min_span": 60.0, "weekdays": False}
    assert forecast.options({"CLAUDE_USAGE_FORECAST_MIN_SPAN": "5", "CLAUDE_USAGE_PACE": "weekdays"}) == {
        "min_span": 5.0, "weekdays": True}
    assert forecast.options({"CLAUDE_USAGE_FORECAST_MIN_SPAN": "x"})["min_span"] == 60.0


# --- the line ---------------------------------------------------------------------------------


def view(samples, five=76.0, seven=41.0, **kw):
    windows = [("five_hour", None, five, RESET, NOW, "api"), ("seven_day", None, seven, NOW + 3 * 86400, NOW, "api")]
    v = {"v": 1, "mode": "code", "fetched": NOW - 5, "ttl": 30.0, "status": "ok", "error": None,
         "backoff_until": None, "wait_sig": None, "cred_sig": None, "console": None, "pace": None,
         "source": "api", "at": NOW - 5, "windows": windows,
         # line-view windows without their observation time: the samples alone make the forecast
         "forecast": forecast.for_view(samples, [w[:4] for w in windows], NOW)}
    v.update(kw)
    return v


def plain(v, glyphs="emoji", show_rate=False):
    return dialects.render(segments.build(v, NOW, glyphs, show_rate=show_rate), "plain")


def test_line_marker_when_on_course_and_nothing_when_all_is_well():
    v = view(climb(40.0, 36.0))
    hm = v["forecast"]["five_hour"]["eta_hm"]
    assert plain(v) == f"5h 76% \u23f01h40m \u26a0{hm} \u00b7 7d 41%"
    spans = segments.build(v, NOW, "emoji")
    assert (f" \u26a0{hm}", "warn") in spans
    assert plain(view(climb(40.0, 6.0), five=46.0)) == "5h 46% \u23f01h40m \u00b7 7d 41%"
    assert plain(view([], five=100.0)) == "5h 100% \u23f01h40m \u00b7 7d 41%"  # red already says it
    assert plain(view(climb(40.0, 36.0), forecast=None)) == "5h 76% \u23f01h40m \u00b7 7d 41%"


def test_line_rate_on_request_and_ascii():
    v = view(climb(40.0, 36.0))
    hm = v["forecast"]["five_hour"]["eta_hm"]
    assert plain(v, "ascii", show_rate=True) == f"5h 76% r1h40m +36%/h !{hm} | 7d 41%"
    assert plain(view(climb(40.0, 0.0), five=40.0), show_rate=True) == "5h 40% \u23f01h40m +0.0%/h \u00b7 7d 41%"


def test_seven_day_marker_names_the_day_and_an_old_forecast_is_ignored():
    seven_reset = NOW + 3 * 86400
    s = climb(20.0, 2.0, key="seven_day", resets=seven_reset, span=H, every=600)
    v = view(s, seven=60.0)
    day = v["forecast"]["seven_day"]["eta_day"]
    assert plain(v).endswith(f"7d 60% \u26a0{day}")
    # After a reset the view's window moved on; the forecast of the old window must not show.
    v["windows"] = [("five_hour", None, 3.0, RESET + 5 * H, NOW, "api"), ("seven_day", None, 60.0, seven_reset, NOW, "api")]
    v["forecast"]["five_hour"] = forecast.to_view(forecast.forecast(climb(40.0, 36.0), "five_hour", None, 76.0,
                                                                    RESET, NOW))
    assert "\u26a0" not in plain(v).split("\u00b7")[0]


def test_format_json_forecast():
    v = view(climb(40.0, 36.0))
    doc = lineformats.document(v, NOW, True, None)
    F = doc["forecast"]["five_hour"]
    assert F["hits_limit_before_reset"] is True and F["rate_per_hour"] == pytest.approx(36.0)
    assert datetime.fromisoformat(F["eta"]).timestamp() == pytest.approx(NOW + 24 / 36 * H, abs=0.01)
    assert doc["forecast"]["seven_day"] == {"rate_per_hour": None, "eta": None, "hits_limit_before_reset": False,
                                            "pace_delta": pytest.approx(41.0 - 4 / 7 * 100, abs=0.1), "samples": 0}
    assert lineformats.document(view([], forecast=None), NOW, True, None)["forecast"] == {
        "five_hour": None, "seven_day": None}
    json.loads(lineformats.render("json", v, NOW, True, None))


def test_pace_delta_sign():
    f = forecast.forecast([], "five_hour", None, 10.0, NOW + 2.5 * H, NOW)
    assert f.pace == 50.0 and f.pace_delta == -40.0


def test_the_current_reading_counts_as_a_point():
    """History keeps one sample of an unchanged reading; the reading itself says it still held."""
    one = [(NOW - 600, "five_hour", None, 40.0, RESET)]
    assert forecast.forecast(one, "five_hour", None, 40.0, RESET, NOW).rate_per_hour is None
    f = forecast.forecast(one, "five_hour", None, 40.0, RESET, NOW, observed_at=NOW - 5)
    assert f.rate_per_hour == 0.0 and f.samples == 2 and f.hits_limit_before_reset is False
    f = forecast.forecast(one, "five_hour", None, 45.0, RESET, NOW, observed_at=NOW)
    assert f.rate_per_hour == pytest.approx(30.0)


def test_full_readings_bring_their_own_observation_time():
    one = [(NOW - 600, "five_hour", None, 40.0, RESET)]
    got = forecast.for_windows(one, [("five_hour", None, 40.0, RESET, NOW - 5, "claude-code")], NOW)
    assert got["five_hour"].rate_per_hour == 0.0 and got["seven_day"] is None
    got = forecast.for_windows(one, [("five_hour", None, 40.0, RESET)], NOW)
    assert got["five_hour"].rate_per_hour is None
