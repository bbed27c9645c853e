"""The panel's history rows: sparkline, rate, ETA, pace and the reset as clock time, from fixed
samples with a fixed clock and time zone, at 40 and 100 columns."""

from __future__ import annotations

import pytest
from rich.cells import cell_len
from test_panel import CODE, NOW, TZ, check_box

from statusline.render import panel

FIVE_RESET = NOW + 6000
SEVEN_RESET = NOW + 2 * 86400 + 3 * 3600 + 30
# The 5-hour window started 3 h 20 m ago; samples every 10 min from 3 h ago: 10 % -> 78 %.
FIVE = [(NOW - 3 * 3600 + i * 600, "five_hour", None, round(10 + i * 68 / 18, 2), FIVE_RESET) for i in range(19)]
SEVEN = [(NOW - 5 * 86400 + i * 3600, "seven_day", None, round(i * 41 / 120, 2), SEVEN_RESET) for i in range(121)]
OLD = [(NOW - 4 * 3600, "five_hour", None, 99.0, FIVE_RESET - 5 * 3600)]  # the previous window
SAMPLES = FIVE + SEVEN + OLD
BLOCKS = set("\u2581\u2582\u2583\u2584\u2585\u2586\u2587\u2588")


def render(width: int, samples=SAMPLES, color: bool = False, ascii_only: bool = False) -> str:
    return panel.render_text(CODE, NOW, ttl=30.0, width=width, color=color, tz=TZ, samples=samples,
                             ascii_only=ascii_only)


def row_after(lines: list[str], label: str, offset: int = 1) -> str:
    i = next(i for i, ln in enumerate(lines) if label in ln)
    return lines[i + offset]


def test_sparkline_pure():
    pts = [(15.0, 0.0), (35.0, 50.0), (55.0, 100.0)]
    assert panel.sparkline(pts, 0.0, 80.0, 8) == " \u2581\u2581\u2585\u2585\u2588\u2588\u2588"
    assert panel.sparkline(pts, 0.0, 80.0, 4) == "\u2581\u2585\u2588\u2588"
    assert panel.sparkline(pts, 0.0, 80.0, 8, ascii_only=True) == " __==###"
    assert panel.sparkline([], 0.0, 80.0, 8) == " " * 8
    assert panel.sparkline(pts, 50.0, 40.0, 8) == ""
    assert panel.sparkline([(1.0, 150.0)], 0.0, 2.0, 2) == "\u2588\u2588"


@pytest.mark.parametrize("width", (40, 100))
def test_history_rows(width: int):
    text = render(width)
    lines = check_box(text, width, "Claude Code Usage")
    bar = row_after(lines, "5-Hour:", 0)
    spark = row_after(lines, "5-Hour:")
    cells = bar.count("\u2588") + bar.count("\u2591")
    body = spark.strip("\u2502 ")
    assert set(body) <= BLOCKS and body[0] == "\u2581" and body[-1] in "\u2586\u2587"
    # Aligned under the bar, as long as it: blank columns for the 20 minutes before the first sample.
    start = bar.index("\u2588")
    assert spark[start:start + cells].strip() == body and len(spark[start:start + cells]) == cells
    assert spark[start] == " " and spark[start + cells - 1] != " "
    rate = row_after(lines, "5-Hour:", 2)
    assert rate.startswith("\u2502 Rate: +23%/h \u00b7 100% at 22:18 \u26a0")  # 03:18 UTC in UTC-5
    if width >= 60:
        assert "+11% ahead of pace" in rate
    assert row_after(lines, "5-Hour:", 3).startswith("\u2502 \u23f0 Resets in 1h 40m (23:00)")
    seven = row_after(lines, "7-Day:")
    assert set(seven.strip("\u2502 ")) <= BLOCKS
    seven_rate = row_after(lines, "7-Day:", 2)
    assert seven_rate.startswith("\u2502 Rate: +0.3%/h") and "100% at" not in seven_rate  # it lasts
    assert "(Sat 00:20)" in row_after(lines, "7-Day:", 3)
    # No history for the Opus window: just its bar and reset, as before.
    assert "Resets in 2d 3h (Sat 00:20)" in row_after(lines, "Opus Weekly:")
    assert max(cell_len(ln) for ln in lines) <= width


def test_without_samples_the_panel_is_as_before_plus_the_clock_time():
    text = render(100, samples=())
    assert "Rate:" not in text and not (set(text) & (BLOCKS - {"\u2588"}))
    assert "\u23f0 Resets in 1h 40m (23:00)" in text


def test_ascii_sparkline_and_not_enough_data():
    text = render(40, ascii_only=True)
    spark = row_after(text.split("\n"), "5-Hour:")
    assert not (set(spark) & BLOCKS) and set(spark.strip("\u2502 ")) <= set(panel.SPARKS_ASCII)



@pytest.mark.parametrize("count", (1, 2))
def test_one_or_two_samples_show_no_lone_block_and_no_rate(count: int):
    """A fresh install has a sample or two: neither a lone sparkline block nor "not enough data"."""
    few = [(NOW - 30 + 20 * i, "five_hour", None, 77.0 + i, FIVE_RESET) for i in range(count)]
    text = render(40, samples=few)
    assert "Rate:" not in text and "not enough" not in text
    spark = row_after(text.split("\n"), "5-Hour:")
    assert not (set(spark) & (BLOCKS - {"\u2588"})) and "Resets in" in spark


def test_colour_follows_the_level():
    text = render(100, color=True)
    assert "\x1b[" in text
