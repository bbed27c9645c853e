from __future__ import annotations

import json

import pytest
from apiserver import PROFILE_BODY, usage_body

from statusline.core.model import Snapshot, parse_iso
from statusline.sources import usage_api as parse


def test_todays_shape_with_unknown_keys():
    u = parse.usage(usage_body(78.0, 41.0, now=1_700_000_000, brand_new_window={"utilization": 3}))
    assert u.five_hour.utilization == 78.0
    assert u.five_hour.resets_at.timestamp() == pytest.approx(1_700_006_000)
    assert u.seven_day.utilization == 41.0
    assert u.scoped == ()
    assert u.extra.enabled is False and u.extra.monthly_limit == 40.0 and u.extra.used == 12.34


def test_nulls_placeholders_and_over_100():
    body = {"five_hour": {"utilization": 0.0, "resets_at": None}, "seven_day": None,
            "seven_day_opus": {"utilization": 104.5, "resets_at": "2025-11-13T04:00:00.001100+00:00"}}
    u = parse.usage(body)
    assert u.five_hour is None, "a 0.0/null window is a placeholder, not a reading"
    assert u.seven_day is None
    assert [(s.name, s.window.utilization) for s in u.scoped] == [("Opus", 104.5)]


def test_missing_and_wrong_typed_fields_do_not_crash():
    u = parse.usage({"five_hour": {"utilization": "78"}, "seven_day": [], "limits": "nope", "extra_usage": 7})
    assert u.five_hour is None and u.seven_day is None and u.extra is None
    with pytest.raises(parse.BadBody):
        parse.usage(["not", "an", "object"])


def test_limits_array_fills_windows_and_scoped():
    body = {"five_hour": None, "seven_day": None, "limits": [
        {"kind": "session", "group": "session", "percent": 12, "resets_at": "2025-11-13T04:00:00Z", "is_active": True},
        {"kind": "weekly_all", "percent": 40, "resets_at": "2025-11-16T04:00:00Z"},
        {"kind": "weekly_scoped", "percent": 88, "resets_at": "2025-11-16T04:00:00Z",
         "scope": {"model": {"id": None, "display_name": "Opus"}, "surface": None}},
        {"kind": "weekly_scoped", "percent": 5, "is_active": False,
         "scope": {"model": {"display_name": "Sonnet"}}},
        "garbage",
    ]}
    u = parse.usage(body)
    assert u.five_hour.utilization == 12 and u.seven_day.utilization == 40
    # is_active: false is not a validity flag: live captures carry real readings with it
    assert [(s.name, s.window.utilization) for s in u.scoped] == [("Opus", 88), ("Sonnet", 5)]


def test_extra_usage_minor_units():
    e = parse.extra_usage({"is_enabled": True, "monthly_limit": 123456, "used_credits": 500,
                           "utilization": 0.4, "currency": "EUR", "decimal_places": 3})
    assert (e.enabled, e.monthly_limit, e.used, e.currency) == (True, 123.456, 0.5, "EUR")


def test_profile_and_tier_hint():
    p = parse.profile(PROFILE_BODY)
    assert (p.display_name, p.email, p.organization, p.has_claude_max) == ("Ada", "ada@example.com", "Analytical Engines", True)
    assert p.rate_limit_tier == "default_claude_max_5x"
    p2 = parse.profile({"account": {"email": "x@y"}}, tier_hint="tier-from-creds")
    assert p2.rate_limit_tier == "tier-from-creds" and p2.organization is None


def test_snapshot_round_trip_and_tolerance():
    u = parse.usage(usage_body(now=1_700_000_000))
    s = Snapshot(mode="code", usage=u, usage_fetched_at=parse_iso("2025-11-13T01:00:00Z"))
    again = Snapshot.from_dict(json.loads(json.dumps(s.to_dict())))
    assert again == s
    assert Snapshot.from_dict("garbage") == Snapshot()
    weird = Snapshot.from_dict({"mode": "lunar", "usage": {"five_hour": 5}, "backoff": {"kind": 3}, "new_key": 1})
    assert weird.mode is None and weird.usage.five_hour is None and weird.backoff is None


@pytest.mark.parametrize("text", ["2025-11-13T04:00:00.001100+00:00", "2025-11-13T04:00:00Z",
                                  "2025-11-13T04:00:00.0011Z", "2025-11-13T04:00:00"])
def test_parse_iso_variants(text):
    assert parse_iso(text).isoformat().startswith("2025-11-13T04:00:00")


def test_parse_iso_garbage():
    assert parse_iso("yesterday") is None and parse_iso(None) is None and parse_iso(12) is None
