"""The line for every recorded shape of the live endpoint, fetched for real from the loopback API."""

from __future__ import annotations

import pytest
import shapes
from apiserver import Reply
from helpers import age_cache, fetch, line, line_json

U = "/api/oauth/usage"


def plain() -> str:
    return line("--format", "plain", "--no-refresh").stdout.strip()


@pytest.mark.parametrize("body,expected", [
    (shapes.limits_only, "5h 34% \u21bb1h06m \u00b7 7d 18%"),
    (shapes.migrated_per_model, "5h 12% \u21bb1h56m \u00b7 7d Fable 31%"),
    (shapes.unknown_kinds, "5h 40% \u21bb50m \u00b7 7d 22%"),
    (shapes.float_noise, "5h 57% \u21bb50m \u00b7 7d 41%"),
    (shapes.reset_in_the_past, "5h 0% \u00b7 7d 41%"),
    (shapes.credits_without_cap, "credits $12.34"),
    (shapes.all_null_enterprise, "claude: no plan limits"),
])
def test_each_recorded_shape_reads_right(api, logged_in, body, expected):
    api.set(U, Reply(200, body()))
    assert fetch().returncode == 0
    assert line("--format", "plain", "--no-refresh", "--glyphs", "plain").stdout.strip() == expected


def test_per_model_limits_all_reach_json(api, logged_in):
    api.set(U, Reply(200, shapes.migrated_per_model()))
    fetch()
    doc = line_json()
    assert [(w["name"], w["utilization"]) for w in doc["weekly_scoped"]] == [("Fable", 31.0), ("Opus", 3.0)]
    assert doc["five_hour"]["source"] == "api"


def test_routines_and_unknown_kinds(api, logged_in):
    api.set(U, Reply(200, shapes.unknown_kinds()))
    fetch()
    doc = line_json()
    assert doc["routines"]["utilization"] == 8.0 and doc["weekly_scoped"] == []


def test_no_plan_limits_is_polled_no_faster_than_the_profile(api, logged_in):
    api.set(U, Reply(200, shapes.all_null_enterprise()))
    fetch()
    assert line_json()["no_plan_limits"] is True and line_json()["status"] == "ok"
    n = api.count(U)
    age_cache(120)  # four TTLs later: a normal account would be asked again
    fetch()
    assert api.count(U) == n, "every window null is a state, not a reason to poll"
    age_cache(3600)
    fetch()
    assert api.count(U) == n + 1


def test_credits_with_a_cap(api, logged_in):
    body = shapes.credits_without_cap()
    body["extra_usage"]["monthly_limit"] = 4000
    api.set(U, Reply(200, body))
    fetch()
    assert plain() == "credits $12.34/$40.00"
    assert line_json()["extra_usage"]["limit"] == 40.0
