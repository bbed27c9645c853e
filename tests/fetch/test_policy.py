from __future__ import annotations

from datetime import timedelta

from statusline.core.model import utc
from statusline.fetch import policy

NOW = utc(1_800_000_000)


def wait(b):
    return (b.until - NOW).total_seconds()


def test_rate_limit_honours_retry_after_and_escalates_to_an_hour():
    b = policy.next_backoff(None, "rate_limited", NOW, retry_after=120)
    assert wait(b) == 120 and b.failures == 1
    b0 = policy.next_backoff(None, "rate_limited", NOW, retry_after=0)
    assert wait(b0) == 60, "a 0 or missing Retry-After still waits a minute"
    waits = []
    b = None
    for _ in range(8):
        b = policy.next_backoff(b, "rate_limited", NOW, retry_after=None)
        waits.append(wait(b))
    assert waits == [60, 120, 240, 480, 960, 1920, 3600, 3600]
    big = policy.next_backoff(None, "rate_limited", NOW, retry_after=2400)
    assert wait(big) == 2400, "never less than the server asked"
    for absurd in (999999999, 1e20, float("inf"), float("nan"), -5):
        b = policy.next_backoff(None, "rate_limited", NOW, retry_after=absurd)
        assert 0 < wait(b) <= 3600, "no backoff longer than an hour from now"


def test_a_backoff_recorded_by_a_clock_a_day_ahead_is_over():
    b = policy.next_backoff(None, "server_error", NOW + timedelta(days=1))
    assert not policy.blocked(b, NOW, None)
    assert policy.blocked(policy.next_backoff(None, "server_error", NOW), NOW, None)


def test_errors_back_off_from_30s_to_10_minutes():
    b, waits = None, []
    for _ in range(7):
        b = policy.next_backoff(b, "server_error", NOW)
        waits.append(wait(b))
    assert waits == [30, 60, 120, 240, 480, 600, 600]
    assert policy.next_backoff(b, "network_error", NOW).failures == 1, "a new kind starts over"


def test_auth_waits_for_the_credentials_to_change():
    b = policy.next_backoff(None, "auth_invalid", NOW, cred_sig="1:2")
    assert b.until is None
    assert policy.blocked(b, NOW + timedelta(days=3), "1:2")
    assert not policy.blocked(b, NOW, "3:4")
    keychain = policy.next_backoff(None, "auth_expired", NOW, cred_sig=None)
    assert wait(keychain) == 3600


def test_blocked_and_fresh():
    b = policy.next_backoff(None, "rate_limited", NOW, retry_after=120)
    assert policy.blocked(b, NOW + timedelta(seconds=119), None)
    assert not policy.blocked(b, NOW + timedelta(seconds=121), None)
    assert policy.is_fresh(NOW - timedelta(seconds=29), 30, NOW)
    assert not policy.is_fresh(NOW - timedelta(seconds=31), 30, NOW)
    assert not policy.is_fresh(NOW + timedelta(hours=2), 30, NOW), "a cache from the future is not fresh"


def test_ttls_overridable(monkeypatch):
    monkeypatch.setenv("CLAUDE_USAGE_TTL", "90")
    monkeypatch.setenv("CLAUDE_USAGE_CONSOLE_TTL", "1")
    t = policy.ttls()
    assert t["code"] == 90 and t["console"] == policy.MIN_TTL and t["profile"] == 3600
