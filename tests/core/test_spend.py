"""Console mode's arithmetic, with no server: each rule of core/spend on its own.

The loopback Admin API scenarios in tests/fetch/test_console.py check the same rules end to end;
these pin down the edges (a day settling, a record of another day, a failure with or without
totals) where a server would only add noise.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta, timezone

import pytest

from statusline.core import spend

UTC = timezone.utc
ADA = "ada@example.com"
NOW = datetime(2025, 5, 10, 12, 0, tzinfo=UTC)
TS = NOW.timestamp()


def record(email: str, *amounts, kind: str = "user_actor", day: str | None = None, currency="USD"):
    rec = {"actor": {"type": kind, "email_address": email},
           "model_breakdown": [{"estimated_cost": {"currency": currency, "amount": a}} for a in amounts]}
    if day is not None:
        rec["date"] = day
    return rec


# Which days ---------------------------------------------------------------------------------

def test_a_day_is_final_only_once_taken_a_whole_day_after_it_ended():
    may1 = date(2025, 5, 1)
    settled = datetime(2025, 5, 3, tzinfo=UTC).timestamp()
    assert not spend.is_final(may1, None)
    assert not spend.is_final(may1, settled - 1)
    assert spend.is_final(may1, settled)


def test_days_to_fetch_are_this_months_unsettled_days_oldest_first():
    assert spend.days_to_fetch({}, NOW) == [date(2025, 5, d) for d in range(1, 11)]
    taken_late = datetime(2025, 5, 9, tzinfo=UTC).timestamp()
    stamps = {f"2025-05-{d:02}": taken_late for d in range(1, 10)}
    # taken at midnight starting the 9th: days 1..7 had settled, the 8th had not, the 10th is new
    assert spend.days_to_fetch(stamps, NOW) == [date(2025, 5, d) for d in (8, 9, 10)]
    assert spend.days_to_fetch({}, datetime(2025, 5, 1, 0, 30, tzinfo=timezone(timedelta(hours=3)))) == [
        date(2025, 4, d) for d in range(1, 31)], "the month is a UTC month"


def test_the_month_end_is_local_midnight_and_december_rolls_the_year():
    assert spend.month_end_local(datetime(2025, 12, 31, 23, tzinfo=UTC), UTC) == datetime(
        2026, 1, 1, tzinfo=UTC).timestamp()
    west = timezone(timedelta(hours=-8))
    assert spend.month_end_local(NOW, west) == datetime(2025, 6, 1, tzinfo=west).timestamp()
    assert spend.month_key(datetime(2025, 6, 1, 1, tzinfo=timezone(timedelta(hours=2)))) == "2025-05"


# Whose records ------------------------------------------------------------------------------

def test_only_this_users_records_of_this_day_in_usd_count():
    records = [
        record(ADA, 100, "25.5"),
        record("ADA@example.com ", 10),                   # the same person, spelled otherwise
        record("ada@example.com.evil", 1000),             # not a substring match
        record(ADA, 5000, kind="api_actor"),              # an API key, not the user
        record(ADA, 7000, day="2025-05-09T00:00:00Z"),    # another day's record
        record(ADA, 8000, currency="EUR"),                # not dollars
        record(ADA, float("nan"), True, "x", None),       # not numbers
        "garbage", {"actor": "x"},
    ]
    assert spend.user_cents(records, ADA, "2025-05-10") == pytest.approx(135.5)
    assert spend.user_cents("not a list", ADA, "2025-05-10") == 0.0
    assert spend.user_cents([record(ADA, 1, day="bad date")], ADA, "2025-05-10") == 1.0


# What a refresh builds on -------------------------------------------------------------------

def previous(**over):
    base = {"email": ADA, "month": "2025-05", "organization": "Acme\x1b[31m", "org_fetched_at": TS - 60,
            "days": {"2025-05-01": 1.0, "2025-04-30": 9.0, "2025-05-11": 9.0, "2025-05-02": "nan"},
            "day_fetched_at": {"2025-05-01": TS - 60, "2025-05-03": TS}, "mtd_usd": 1.0,
            "history": [[TS - 3600, 0.5]]}
    return {**base, **over}


def test_prior_keeps_this_months_days_of_this_user_only():
    p = spend.prior(previous(), ADA, NOW)
    assert p.mine and p.same
    assert p.days == {"2025-05-01": 1.0}, "other months, the future and NaN are dropped"
    assert p.fetched_at == {"2025-05-01": TS - 60}, "a stamp without a total means nothing"
    assert p.organization is not None and "\x1b" not in p.organization
    other = spend.prior(previous(), "bob@example.com", NOW)
    assert not other.mine and not other.same and other.days == {}
    june = spend.prior(previous(), ADA, datetime(2025, 6, 1, 1, tzinfo=UTC))
    assert june.mine and not june.same and june.days == {}
    assert spend.prior(None, ADA, NOW) == spend.Prior({}, False, False, {}, {}, None, None)


@pytest.mark.parametrize("org_at,due", [(None, True), (TS - 60, False), (TS - 3600, True), (TS + 60, True)])
def test_the_organization_is_asked_again_hourly_and_after_a_clock_jump(org_at, due):
    assert spend.org_due(spend.prior(previous(org_fetched_at=org_at), ADA, NOW), TS, 3600.0) is due


def test_membership_is_asked_only_while_the_month_reads_zero_and_once_a_day():
    p = spend.prior(previous(email_checked=ADA, email_known=False, email_checked_at=TS - 100), ADA, NOW)
    assert spend.membership(p, ADA, {"2025-05-01": 1.0}, TS, 86400.0) == (True, TS, False)
    assert spend.membership(p, ADA, {"2025-05-01": 0.0}, TS, 86400.0) == (False, TS - 100, False)
    assert spend.membership(p, ADA, {}, TS + 86400, 86400.0) == (False, TS - 100, True)
    other = spend.prior(previous(email_checked="bob@example.com", email_known=True), ADA, NOW)
    assert spend.membership(other, ADA, {}, TS, 86400.0) == (None, None, True)


# After the calls ----------------------------------------------------------------------------

def cache_for(p, days):
    return spend.record(ADA, NOW, p.organization, p.org_fetched_at, days, dict.fromkeys(days, TS), None, None)


def test_a_failure_keeps_this_months_totals_and_adds_the_days_that_arrived():
    p = spend.prior(previous(), ADA, NOW)
    shown, pending = spend.after_failure(p, cache_for(p, {"2025-05-01": 1.0, "2025-05-02": 2.0}))
    assert pending is None and shown is not None
    assert shown["days"] == {"2025-05-01": 1.0, "2025-05-02": 2.0} and shown["mtd_usd"] == 1.0


def test_a_failure_in_a_months_first_fetch_shows_the_last_good_and_keeps_the_days_pending():
    last_month = previous(month="2025-04")
    p = spend.prior(last_month, ADA, NOW)
    shown, pending = spend.after_failure(p, cache_for(p, {"2025-05-01": 1.0}))
    assert shown == last_month
    assert pending is not None and pending["days"] == {"2025-05-01": 1.0} and pending["history"] == []
    assert spend.after_failure(p, cache_for(p, {})) == (last_month, None), "nothing to keep pending"
    bob = spend.prior(previous(email="bob@example.com"), ADA, NOW)
    assert spend.after_failure(bob, cache_for(bob, {}))[0] is None, "never another person's costs"


def test_totals_give_mtd_rate_and_projection_from_the_days_and_history():
    p = spend.prior(previous(), ADA, NOW)
    c = spend.totals(p, cache_for(p, {"2025-05-01": 1.0, "2025-05-10": 2.005}), NOW, UTC)
    assert c["mtd_usd"] == 3.0 and c["history"] == [[TS - 3600, 0.5], [TS, 3.0]]
    assert c["rate_window"] == "1h" and c["rate_usd_per_hour"] == pytest.approx(2.5)
    assert c["projected_usd"] == pytest.approx(3.0 + 2.5 * 21.5 * 24, abs=0.01)
    assert all(math.isfinite(v) for v in (c["mtd_usd"], c["rate_usd_per_hour"], c["projected_usd"]))
    fresh = spend.prior(previous(month="2025-04"), ADA, NOW)
    assert spend.totals(fresh, cache_for(fresh, {}), NOW, UTC)["history"] == [[TS, 0.0]], "a new month"


def test_continue_from_prefers_totals_then_pending_of_this_month_and_user():
    totals = previous()
    pending = {"email": ADA, "month": "2025-05", "days": {"2025-05-01": 1.0}}
    assert spend.continue_from(totals, pending, ADA, NOW) is totals
    assert spend.continue_from(previous(month="2025-04"), pending, ADA, NOW) is pending
    assert spend.continue_from(None, {**pending, "email": "bob@example.com"}, ADA, NOW) is None
