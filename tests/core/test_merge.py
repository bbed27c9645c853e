"""The merge rule (``core/readings.merge``): the reading observed last wins, lower or not."""

from statusline.core import readings

R = 1_800_000_000.0  # a reset
T = 1_799_990_000.0  # an observation time


def r(util, resets, at, source="api"):
    return ("five_hour", None, util, resets, at, source)


def test_plan_upgrade_lower_and_newer_wins():
    assert readings.merge([r(90.0, R, T)], [r(20.0, R, T + 60)]) == [r(20.0, R, T + 60)]


def test_moved_earlier_reset_is_accepted():
    assert readings.merge([r(50.0, R, T)], [r(10.0, R - 3600, T + 60)]) == [r(10.0, R - 3600, T + 60)]


def test_idle_replay_loses_to_a_fresh_api_answer():
    idle = r(70.0, R, T - 1200, "claude-code")  # its transcript was touched 20 minutes ago
    fresh = r(30.0, R, T)
    assert readings.merge([fresh], [idle]) == [fresh]


def test_same_moment_takes_the_larger():
    a, b = r(40.0, R, T), r(45.0, R + 30, T + 3, "claude-code")
    assert readings.merge([b], [a]) == [b] and readings.merge([a], [b]) == [b]


def test_future_stamp_counts_as_now():
    future = r(99.0, R, T + 10_000)
    later = r(5.0, R, T + 60)
    got = readings.merge([future], now=T)
    assert got == [r(99.0, R, T)]
    assert readings.merge(got, [later], now=T + 60) == [later]


def test_past_reset_reads_zero():
    assert readings.live(r(80.0, R, T), R + 1)[2] == 0.0


def test_a_replay_of_a_window_that_has_reset_never_erases_the_current_one():
    """#27.3: an idle session's input whose resets are an hour past (no transcript, so it is
    stamped as first heard now) met the API's fresh 78 %: the line read 0 %. A finished window
    says nothing about the one that runs now (rule 5)."""
    now = T + 3600
    fresh = r(78.0, now + 6000, now - 10)  # the API, 10 s ago, the current window
    replay = r(55.0, now - 3600, now, "claude-code")  # heard "now", of a window that reset an hour ago
    assert readings.merge([fresh], [replay], now=now) == [fresh]
    assert readings.merge([replay], [fresh], now=now) == [fresh]
    # ...while a finished window still gives way to what comes after it, and reads 0 on its own:
    assert readings.merge([replay], now=now) == [replay] and readings.live(replay, now)[2] == 0.0
    assert readings.merge([r(10.0, now - 3600, now - 7200)], [replay], now=now) == [replay]


def test_same_window_is_one_rule():
    assert readings.same_window(R, R + 120) and not readings.same_window(R, R + 121)
    assert readings.same_window(None, None) and not readings.same_window(R, None)
