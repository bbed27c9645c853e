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
