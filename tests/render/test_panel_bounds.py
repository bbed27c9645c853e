"""Absurd outside numbers stay bounded in the panel (issue 17, #13)."""

from __future__ import annotations

import pytest
from test_panel import CODE, PACE, render

from statusline.sources.pace_maker_state import PaceMakerState


@pytest.mark.parametrize("delay", [1e300, 10 ** 300, 86400 * 365])
def test_an_absurd_pace_maker_delay_is_not_printed(delay: float) -> None:
    state = PaceMakerState.from_dict(dict(PACE, delay_seconds=delay))
    assert state.delay_seconds is None  # refused where it comes in
    text = render(CODE.replace(pace_maker=dict(PACE, delay_seconds=delay)), 60)  # and where it is shown
    assert "Next delay" not in text and "0000000" not in text
    assert "Next delay: 45s" in render(CODE.replace(pace_maker=PACE), 60)


def test_a_combining_mark_flood_is_bounded_and_the_border_stays_straight() -> None:
    """#16: 300 x U+0301 on one letter, from the API, keeps at most MARKS_MAX marks per base
    character, and the 40-column panel's right border stays where it belongs."""
    from test_panel import USAGE, check_box

    from statusline.core import clean
    from statusline.core.model import ScopedLimit
    from statusline.sources import usage_api

    flood = "O" + "\u0301" * 300 + "pus"
    name = usage_api.scope_name({"scope": {"model": {"display_name": flood}}})
    assert name is not None and name.count("\u0301") == clean.MARKS_MAX and name.endswith("pus")
    assert clean.text("e\u0301\u0302 cafe\u0301") == "e\u0301\u0302 cafe\u0301"  # real accents stay
    import dataclasses

    usage = dataclasses.replace(USAGE, scoped=(ScopedLimit(name, USAGE.scoped[0].window),))
    check_box(render(CODE.replace(usage=usage), 40), 40, "Claude")


@pytest.mark.parametrize("width", [40, 34])
def test_a_long_model_name_leaves_every_percentage_visible(width: int) -> None:
    """#10: with "Sonnet 4.5 (1M context)" the label gives way, never the numbers."""
    import dataclasses
    import re

    from test_panel import USAGE, check_box

    from statusline.core.model import ScopedLimit

    usage = dataclasses.replace(USAGE, scoped=(ScopedLimit("Sonnet 4.5 (1M context)", USAGE.scoped[0].window),))
    lines = check_box(render(CODE.replace(usage=usage), width), width, "Claude")
    shown = "\n".join(lines)
    for pct in ("78%", "41%", "96%", "30%"):
        assert re.search(r" %s \u2502$" % re.escape(pct.rjust(4)), shown, re.M), (pct, shown)
    assert "Sonnet 4.5" in shown
