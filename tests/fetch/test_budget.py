"""The learned spacing as pure functions, simulated over hours of a fixed clock against the
three manners of a one-call-per-window endpoint (the real one: about 5 minutes)."""

from __future__ import annotations

import math

import pytest

from statusline.fetch import budget
from statusline.fetch.budget import Budget

T0 = 1_800_000_000.0


def simulate(manner: str, window: float, ttl: float, hours: float, step: float = 1.0) -> dict:
    """A line every ``step`` seconds; the fetcher calls when the data is older than the TTL and
    the budget allows (the decision ``fetcher._usage_step`` makes)."""
    b = Budget()
    open_at = 0.0
    data_at = None
    refused = accepted = 0
    max_age = 0.0
    t = T0
    while t < T0 + hours * 3600:
        due = data_at is None or t - data_at >= ttl
        if due and t >= budget.allowed_at(b, t):
            if t >= open_at:
                accepted += 1
                open_at = t + window
                data_at = t
                b = budget.after_ok(b, t)
            else:
                refused += 1
                ra = math.ceil(open_at - t) if manner == "retry_after" else None
                if manner == "restart":
                    open_at = t + window
                b = budget.after_refusal(b, t, ra)
        if data_at is not None:
            max_age = max(max_age, t - data_at)
        t += step
    return {"refused": refused, "accepted": accepted, "max_age": max_age, "spacing": b.spacing}


@pytest.mark.parametrize("manner", ["retry_after", "silent", "restart"])
def test_six_hours_against_a_five_minute_window(manner):
    got = simulate(manner, window=300, ttl=30, hours=6)
    # A fixed 30 s TTL is refused after every success: about 72 refusals in six hours.
    assert got["refused"] <= (1 if manner == "retry_after" else 6), got
    assert got["accepted"] >= 72 * 0.75, got
    # The worst age is the start-up: doubling waits from a minute until one gets through.
    assert got["max_age"] <= 300 * (1.05 if manner == "retry_after" else 3.2), got
    assert 300 <= got["spacing"] <= 300 * 1.1, "converged on the window"


@pytest.mark.parametrize("manner", ["retry_after", "silent", "restart"])
def test_a_one_minute_window_costs_one_refusal_in_a_few_minutes(manner):
    got = simulate(manner, window=60, ttl=5, hours=4 / 60)
    assert got["refused"] == 1, got
    assert got["max_age"] <= 60 * 1.15, got


@pytest.mark.parametrize("manner", ["retry_after", "silent", "restart"])
def test_probing_stops_once_the_spacing_is_known(manner):
    early = simulate(manner, window=60, ttl=5, hours=1)
    late = simulate(manner, window=60, ttl=5, hours=3)
    assert late["refused"] == early["refused"] <= 4, (early, late)


def test_retry_after_is_bounded_and_never_raises():
    for ra in (None, 0, -5, 1e20, float("inf"), float("nan"), 999999999, "garbage"):
        wait = budget.retry_wait(ra, 1)  # type: ignore[arg-type]
        assert 0 < wait <= budget.RATE_LIMIT_MAX
    assert budget.retry_wait(None, 1) == 60 and budget.retry_wait(None, 2) == 120
    assert budget.retry_wait(0, 1) == 60, "0 is no promise: at least a minute"
    assert budget.retry_wait(300, 1) == 300


def test_a_backoff_beyond_the_bound_is_a_clock_that_jumped():
    b = Budget(backoff_until=T0 + 86400)  # recorded while the clock was a day ahead
    assert budget.allowed_at(b, T0) == 0.0
    assert budget.allowed_at(Budget(backoff_until=T0 + 600), T0) == T0 + 600


def test_no_plan_limits_asks_no_more_often_than_the_profile():
    b = budget.after_ok(Budget(), T0, no_limits=True)
    assert budget.allowed_at(b, T0 + 60, min_interval=3600) == T0 + 3600


def test_state_survives_a_round_trip_and_garbage():
    b = budget.after_refusal(budget.after_ok(Budget(), T0), T0 + 5, None)
    assert Budget.from_dict(b.to_dict()) == b
    assert Budget.from_dict({"spacing": float("nan"), "last_ok": "x", "refusals": -3, "streak": 10**9}) == Budget()
    assert Budget.from_dict([1, 2]) == Budget()
