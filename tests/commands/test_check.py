"""``claude-usage check``: exit 0 / 1 / 2 from the cache, never the network."""

from __future__ import annotations

import time

import pytest
from helpers import account_dir, age_cache, cli

from statusline.cache import cache_view, history, store
from statusline.commands import check


def test_parse_expressions():
    assert check.parse("5h<90") == check.Expr("5h<90", "util", "five_hour", "<", 90.0)
    assert check.parse(" 7d <= 80% ").window == "seven_day"
    assert check.parse("any<95").window == "any"
    assert check.parse("Opus>=50").window == "opus"
    e = check.parse("eta5h>1h30m")
    assert (e.measure, e.window, e.op, e.value) == ("eta", "five_hour", ">", 5400.0)
    assert check.parse("eta7d>45").value == 45 * 60  # a bare number is minutes
    assert check.parse("rate5h=0").op == "=="
    for bad in ("5h<<90", "5h", "<90", "5h<abc", "eta5h>3x", "etaopus>1h", "5h<90;rm -rf /", ""):
        with pytest.raises(check.BadExpression):
            check.parse(bad)


def test_true_false_and_quiet(warm):
    before = warm.count("/api/oauth/usage")
    r = cli("check", "5h<90", "7d<=80", "any<95", "5h>=78", "7d!=40")
    assert r.returncode == 0 and r.stdout == "" and r.stderr == "", r.stdout + r.stderr
    r = cli("check", "5h<90", "5h<70", "any<50")
    assert r.returncode == 1
    assert r.stdout.splitlines() == ["5h<70 does not hold: 5h is 78%", "any<50 does not hold: 5h is 78%"]
    r = cli("check", "--quiet", "5h<70")
    assert r.returncode == 1 and r.stdout == "" and r.stderr == ""
    assert warm.count("/api/oauth/usage") == before, "check never calls the API"


def test_bad_expression_and_missing_window(warm):
    r = cli("check", "5h<90", "5h<<3")
    assert r.returncode == 2 and "bad expression" in r.stderr
    r = cli("check", "opus<90")
    assert r.returncode == 2 and "no data" in r.stderr
    assert cli("check", "--max-age", "soon", "5h<90").returncode == 2


def test_stale_or_missing_data(warm):
    age_cache(11 * 60)
    r = cli("check", "5h<90")
    assert r.returncode == 2 and "old" in r.stderr
    assert cli("check", "--max-age", "1h", "5h<90").returncode == 0
    assert cli("check", "--max-age", "30s", "5h<90").returncode == 2


def test_no_cache_at_all():
    r = cli("check", "5h<90")
    assert r.returncode == 2 and "no usage data" in r.stderr


def test_eta_and_rate_from_history(warm):
    acct = account_dir()
    snap, _ = store.load_snapshot(acct)
    assert snap is not None and snap.usage is not None and snap.usage.five_hour is not None
    resets = snap.usage.five_hour.resets_at.timestamp()
    r = cli("check", "eta5h>30m")
    assert r.returncode == 2 and "no data" in r.stderr  # no history yet: unknown, not fine
    now = time.time()
    # 42 % -> 78 % over the last hour: 36 points an hour, 100 % in about 37 minutes.
    history.record(cache_view.history_dir(str(acct)), [("five_hour", None, 42.0 + 3.0 * i, resets, now - 3600 + 300 * i, "api")
                          for i in range(13)], now)
    assert cli("check", "eta5h>30m", "rate5h>30", "rate5h<40").returncode == 0
    r = cli("check", "eta5h>1h")
    assert r.returncode == 1 and r.stdout.startswith("eta5h>1h does not hold: eta5h is 3")
    assert cli("check", "etaany<1h").returncode == 0


def test_evaluate_pure():
    now = 1_800_000_000.0
    wins = check.current([("five_hour", None, 120.0, now - 10), ("seven_day", None, 50.0, now + 100),
                          ("extra", "USD", 99.0, None), ("scoped", "Opus", 91.0, now + 100)], now)
    assert wins[0][2] == 0.0  # its reset has passed: the old 120 % no longer holds
    fails, missing = check.evaluate([check.parse("any<95"), check.parse("opus<90"), check.parse("5h<1")],
                                    wins, {}, now)
    assert fails == ["opus<90 does not hold: Opus is 91%"] and missing == []


def test_full_readings_are_windows_too():
    now = 1_800_000_000.0
    wins = check.current([("five_hour", None, 50.0, now + 10, now - 1, "api"), ("spend", None, 300.0, None, now, "api")],
                         now)
    assert wins == [("five_hour", None, 50.0, now + 10)]


def test_an_unknown_window_is_named_with_the_valid_ones(warm):
    r = cli("check", "foo<3")
    assert r.returncode == 2 and "unknown window 'foo'" in r.stderr, r.stderr
    assert "5h, 7d, any" in r.stderr


def test_no_credentials_does_not_advise_refresh():
    r = cli("check", "5h<90")
    assert r.returncode == 2 and "refresh" not in r.stderr and "log in" in r.stderr, r.stderr
    r = cli("--mode", "console", "check", "5h<90")
    assert "ANTHROPIC_ADMIN_API_KEY" in r.stderr and "refresh" not in r.stderr, r.stderr


def test_history_with_an_empty_or_inverted_range_says_so(warm):
    r = cli("history", "--since", "1h", "--until", "2h")
    assert r.returncode == 2 and "inverted" in r.stderr, r.stderr
    r = cli("history", "--since", "2026-01-01T10:00", "--until", "2026-01-01T10:00")
    assert r.returncode == 2 and "empty" in r.stderr
    r = cli("history", "--since", "2001-01-01T10:00", "--until", "2001-01-02T10:00")
    assert r.returncode == 0 and "no samples from 2001-01-01 10:00:00 until 2001-01-02 10:00:00" in r.stdout
