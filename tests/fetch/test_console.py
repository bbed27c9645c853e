"""Console mode against the real loopback server: own costs only, day cache, rate, failures."""

from __future__ import annotations

import json
import re
import time
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from apiserver import USERS_PATH, Reply, users_handler
from conftest import ADMIN_KEY
from helpers import account_dir, age_cache, cli, fetch, line, line_json, wait_for

from statusline.cache.fastpaths import fnv1a64
from statusline.cache.paths import resolve
from statusline.core import spend
from statusline.fetch import api, console

# Process-level scenarios: the main Python runs them (.ci/run), the others the rest.
pytestmark = pytest.mark.scenario

ME = "/v1/organizations/me"
CC = console.USAGE_PATH
ADA = "ada@example.com"
UTC = timezone.utc
HOUR = 3600.0


# A fake organization ---------------------------------------------------------------------

def user(email: str, *cents: Any, day: str | None = None) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "actor": {"type": "user_actor", "email_address": email},
        "organization_id": "org-1", "customer_type": "api", "terminal_type": "vscode",
        "core_metrics": {"num_sessions": 1}, "tool_actions": {},
        "model_breakdown": [
            {"model": f"claude-model-{i}", "tokens": {"input": 10, "output": 5},
             "estimated_cost": {"currency": "USD", "amount": c}}
            for i, c in enumerate(cents)
        ],
    }
    if day:
        rec["date"] = day + "T00:00:00Z"
    return rec


def key_actor(*cents: Any) -> dict[str, Any]:
    rec = user("unused", *cents)
    rec["actor"] = {"type": "api_actor", "api_key_name": "ci-key"}
    return rec


class Org:
    """Serves /me and day-by-day claude_code reports (pages per day), counting what is asked."""

    def __init__(self, server, days: dict[str, list[list[dict[str, Any]]]], default=None):
        self.server, self.days, self.default = server, days, default
        self.fail: dict[str, Reply] = {}
        server.set_handler(ME, self._me)
        server.set_handler(CC, self._report)
        server.set_handler(USERS_PATH, users_handler(["bob@example.com", "carol@example.com", ADA]))

    @staticmethod
    def _authorized(req) -> bool:
        return {k.lower(): v for k, v in req.headers.items()}.get("x-api-key") == ADMIN_KEY

    def _me(self, req) -> Reply:
        if not self._authorized(req):
            return Reply(401, {"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}})
        return Reply(200, {"id": "org-1", "name": "Analytical Engines", "type": "organization"})

    def _report(self, req) -> Reply:
        if not self._authorized(req):
            return Reply(401, {"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}})
        day = req.query.get("starting_at", [""])[0]
        assert req.query.get("limit") == ["1000"]
        if day in self.fail:
            return self.fail[day]
        pages = self.days.get(day) or (self.default(day) if self.default else [[]])
        idx = int(req.query.get("page", ["cur-0"])[0].split("-")[1])
        more = idx + 1 < len(pages)
        return Reply(200, {"data": pages[idx], "has_more": more, "next_page": f"cur-{idx + 1}" if more else None})

    def asked(self) -> list[str]:
        """starting_at of every report request, in order (one entry per page)."""
        return [r.query.get("starting_at", ["?"])[0] for r in self.server.requests if r.path == CC]


def may_days() -> dict[str, list[list[dict[str, Any]]]]:
    """Ada's May: 1234 + "250.5" + 100 + 0.5 + 300 cents = $18.85; everyone else far more."""
    return {
        "2025-05-01": [
            [user("Ada@Example.com", 1234, "250.5", day="2025-05-01"), user("bob@example.com", 99999),
             key_actor(50000)],
            [user(ADA, 100), user("ada@example.com.evil.org", 777), user("xada@example.com", 888),
             user("ada", 999), {"actor": None}, "junk"],
        ],
        "2025-05-02": [[user("bob@example.com", 4321), key_actor(10)]],
        "2025-05-03": [[user(ADA, 0.5), {"actor": {"type": "user_actor", "email_address": ADA}},
                        user(ADA, None, "n/a", True), user(ADA, 12345, day="2025-04-30")]],
        "2025-05-04": [[user(ADA, 300), key_actor(7777)]],
    }


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def client() -> api.Client:
    return api.Client()  # CLAUDE_USAGE_API_URL points at the loopback server


# Month to date and the day cache ---------------------------------------------------------

def test_mtd_is_only_my_user_actor_costs_summed_over_pages_and_models(api):
    org = Org(api, may_days())
    got = console.refresh(client(), ADMIN_KEY, ADA, None, at(2025, 5, 4, 12))
    assert got.failure is None and got.console is not None
    c = got.console
    assert c["mtd_usd"] == 18.85, "cents -> dollars, others, API keys and other days excluded"
    assert c["days"] == {"2025-05-01": 15.845, "2025-05-02": 0.0, "2025-05-03": 0.005, "2025-05-04": 3.0}
    assert c["organization"] == "Analytical Engines" and c["month"] == "2025-05" and c["email"] == ADA
    assert set(c) == {"organization", "org_fetched_at", "email", "month", "mtd_usd", "rate_usd_per_hour",
                      "rate_window", "projected_usd", "days", "day_fetched_at", "history",
                      "email_checked", "email_known", "email_checked_at"}
    assert c["email_known"] is True, "costs of this email were found: no users call needed"
    assert json.loads(json.dumps(c)) == c
    assert ADMIN_KEY not in json.dumps(c)
    # first fetch of the month: one request per day, plus the second page of May 1st, plus /me
    assert org.asked() == ["2025-05-01", "2025-05-01", "2025-05-02", "2025-05-03", "2025-05-04"]
    assert got.requests == 6 and api.count(ME) == 1
    second_page = [r for r in api.requests if r.path == CC and "page" in r.query]
    assert [r.query["page"] for r in second_page] == [["cur-1"]]
    hdrs = {k.lower(): v for k, v in api.requests[0].headers.items()}
    assert hdrs["x-api-key"] == ADMIN_KEY and hdrs["anthropic-version"] == "2023-06-01"


def test_second_refresh_fetches_only_days_that_can_still_change(api):
    org = Org(api, may_days())
    first = console.refresh(client(), ADMIN_KEY, ADA, None, at(2025, 5, 4, 12))
    n = len(api.requests)
    org.days["2025-05-04"] = [[user(ADA, 300, 200)]]  # today grew by $2
    org.days["2025-05-01"] = [[user(ADA, 10**6)]]  # a settled day "changing" must not be asked
    second = console.refresh(client(), ADMIN_KEY, ADA, first.console, at(2025, 5, 4, 12, 10))
    assert org.asked()[5:] == ["2025-05-03", "2025-05-04"], "yesterday and today only"
    assert second.requests == 2 and len(api.requests) - n == 2, "/me is refreshed hourly, not now"
    assert second.console["mtd_usd"] == 20.85
    assert second.console["rate_window"] == "30m"
    assert second.console["rate_usd_per_hour"] == pytest.approx(2.0 / (10 / 60))

    # Next UTC day: the 3rd was cached before it settled, so it is asked once more; /me is due.
    third = console.refresh(client(), ADMIN_KEY, ADA, second.console, at(2025, 5, 5, 1))
    assert org.asked()[7:] == ["2025-05-03", "2025-05-04", "2025-05-05"] and third.requests == 4
    fourth = console.refresh(client(), ADMIN_KEY, ADA, third.console, at(2025, 5, 5, 1, 10))
    assert org.asked()[10:] == ["2025-05-04", "2025-05-05"] and fourth.requests == 2


def test_month_rollover_starts_a_new_total(api):
    org = Org(api, {}, default=lambda day: [[user(ADA, 500)], [user(ADA, 25)]])
    april = {"organization": "Analytical Engines", "org_fetched_at": at(2025, 4, 30, 23, 50).timestamp(),
             "email": ADA, "month": "2025-04", "mtd_usd": 321.0, "rate_usd_per_hour": 1.0,
             "rate_window": "1h", "projected_usd": 330.0,
             "days": {"2025-04-29": 300.0, "2025-04-30": 21.0},
             "day_fetched_at": {"2025-04-29": 1.0, "2025-04-30": 2.0},
             "history": [[at(2025, 4, 30, 23, 45).timestamp(), 320.0], [at(2025, 4, 30, 23, 55).timestamp(), 321.0]]}
    got = console.refresh(client(), ADMIN_KEY, ADA, april, at(2025, 5, 1, 0, 5))
    c = got.console
    assert org.asked() == ["2025-05-01", "2025-05-01"], "the 1st (two pages) has no yesterday this month"
    assert got.requests == 2, "organization name still fresh"
    assert c["month"] == "2025-05" and c["days"] == {"2025-05-01": 5.25} and c["mtd_usd"] == 5.25
    assert c["history"] == [[at(2025, 5, 1, 0, 5).timestamp(), 5.25]], "April's samples are gone: MTD restarted"
    assert c["rate_window"] == "month" and c["rate_usd_per_hour"] == pytest.approx(5.25 / (5 / 60), abs=1e-3)


def test_another_email_never_inherits_cached_days(api):
    org = Org(api, may_days())
    ada = console.refresh(client(), ADMIN_KEY, ADA, None, at(2025, 5, 4, 12)).console
    bob = console.refresh(client(), ADMIN_KEY, "BOB@example.com", ada, at(2025, 5, 4, 12, 1)).console
    assert bob["mtd_usd"] == pytest.approx(999.99 + 43.21) and bob["email"] == "BOB@example.com"
    assert org.asked()[5:] == ["2025-05-01", "2025-05-01", "2025-05-02", "2025-05-03", "2025-05-04"]


def test_bad_bodies_are_failures_not_zero(api):
    Org(api, may_days())
    api.set_handler(CC, lambda req: Reply(200, {"has_more": False}))
    got = console.refresh(client(), ADMIN_KEY, ADA, None, at(2025, 5, 4, 12))
    assert got.console is None and got.failure.kind == "bad_response"
    api.set_handler(CC, lambda req: Reply(200, {"data": [], "has_more": True, "next_page": "same"}))
    got = console.refresh(client(), ADMIN_KEY, ADA, None, at(2025, 5, 4, 12))
    assert got.failure.kind == "bad_response" and "pages" in got.failure.message


# Failures keep the last good totals -------------------------------------------------------

def test_429_on_one_day_keeps_the_total_and_the_other_days(api):
    org = Org(api, may_days(), default=lambda day: [[user(ADA, 100)]])
    good = console.refresh(client(), ADMIN_KEY, ADA, None, at(2025, 5, 4, 12)).console
    org.fail["2025-05-05"] = Reply(429, {"error": {"type": "rate_limit_error", "message": "slow down"}},
                                   {"Retry-After": "90"})
    got = console.refresh(client(), ADMIN_KEY, ADA, good, at(2025, 5, 6, 9))
    assert got.failure.kind == "rate_limited" and got.failure.retry_after == 90
    assert org.asked()[5:] == ["2025-05-03", "2025-05-04", "2025-05-05"], "stops at the 429"
    c = got.console
    assert c["mtd_usd"] == good["mtd_usd"] == 18.85 and c["history"] == good["history"], "last good total"
    assert set(c["days"]) == {"2025-05-01", "2025-05-02", "2025-05-03", "2025-05-04"}, "no day lost"
    assert c["day_fetched_at"]["2025-05-04"] == at(2025, 5, 6, 9).timestamp()
    del org.fail["2025-05-05"]
    after = console.refresh(client(), ADMIN_KEY, ADA, c, at(2025, 5, 6, 9, 5))
    assert org.asked()[8:] == ["2025-05-05", "2025-05-06"], "the days fetched before the 429 are not asked again"
    assert after.failure is None and after.console["mtd_usd"] == 18.85 + 2.0


def test_429_during_a_months_first_fetch_keeps_the_days_for_next_time(api):
    org = Org(api, may_days())
    org.fail["2025-05-03"] = Reply(429, {"error": {"message": "slow down"}})
    got = console.refresh(client(), ADMIN_KEY, ADA, None, at(2025, 5, 4, 12))
    assert got.console is None, "no partial total is ever shown"
    assert got.pending and set(got.pending["days"]) == {"2025-05-01", "2025-05-02"}
    previous = spend.continue_from(None, got.pending, ADA, at(2025, 5, 4, 12, 2))
    del org.fail["2025-05-03"]
    done = console.refresh(client(), ADMIN_KEY, ADA, previous, at(2025, 5, 4, 12, 2))
    assert org.asked()[4:] == ["2025-05-03", "2025-05-04"] and done.console["mtd_usd"] == 18.85


def test_wrong_key_is_an_auth_failure_and_never_echoed(api):
    Org(api, may_days())
    got = console.refresh(client(), "sk-ant-admin01-WRONG-0000000000", ADA, None, at(2025, 5, 4, 12))
    assert got.failure.kind == "auth_invalid" and got.failure.status == 401 and got.requests == 1
    assert "WRONG" not in got.failure.message


# Rate and projection ---------------------------------------------------------------------

NOW = at(2025, 5, 10, 12)
T = NOW.timestamp()
SINCE = at(2025, 5, 1).timestamp()


@pytest.mark.parametrize("ago_h,window", [
    (10 / 60, "30m"), (0.5, "30m"), (45 / 60, "1h"), (1.0, "1h"), (2.0, "3h"), (5.0, "6h"),
    (20.0, "24h"), (3 * 24.0, "7d"), (7 * 24.0, "7d"),
])
def test_rate_uses_the_narrowest_window_holding_a_past_sample(ago_h, window):
    per_hour, got = spend.rate([[T - ago_h * HOUR, 40.0]], 46.0, T, SINCE)
    assert got == window and per_hour == pytest.approx(6.0 / ago_h)


def test_rate_uses_the_oldest_sample_inside_that_window():
    hist = [[T - 200 * HOUR, 0.0], [T - 2 * HOUR, 30.0], [T - 25 * 60, 40.0], [T - 5 * 60, 45.0], [T, 46.0]]
    per_hour, window = spend.rate(hist, 46.0, T, SINCE)
    assert window == "30m" and per_hour == pytest.approx(6.0 / (25 / 60))


def test_rate_falls_back_to_the_month_average():
    month_avg = 45.6 / (9.5 * 24)
    for hist in ([], [[T, 45.6]], [[T + 60, 1.0]], [[T - 8 * 24 * HOUR, 1.0]], "garbage", [["x", 1], [1]]):
        assert spend.rate(hist, 45.6, T, SINCE) == (pytest.approx(month_avg), "month"), hist
    assert spend.rate([], 0.0, SINCE, SINCE) == (0.0, "month")


def test_rate_ignores_last_month_and_is_never_negative():
    now = at(2025, 5, 1, 3).timestamp()
    april = [[now - 4 * HOUR, 900.0]]  # inside the 6h window, but MTD restarted since
    assert spend.rate(april, 6.0, now, SINCE) == (pytest.approx(2.0), "month")
    assert spend.rate([[T - 600, 50.0]], 46.0, T, SINCE) == (0.0, "30m")


@pytest.mark.parametrize("ago", [1, 5, 60, 599])
def test_a_baseline_needs_ten_minutes_before_it_is_a_window(ago):
    month_avg = 46.0 / (9.5 * 24)
    assert spend.rate([[T - ago, 46.0]], 46.0, T, SINCE) == (pytest.approx(month_avg), "month")
    assert spend.rate([[T - 600, 40.0], [T - ago, 46.0]], 46.0, T, SINCE) == (pytest.approx(36.0), "30m")


def test_a_refresh_seconds_after_the_first_keeps_the_month_average(api):
    """Two refreshes 5 s apart against the loopback Admin API: no $0.00/h, no flat projection."""
    Org(api, {}, default=lambda day: [[user(ADA, 1000)]])
    first = console.refresh(client(), ADMIN_KEY, ADA, None, NOW, tz=UTC).console
    again = console.refresh(client(), ADMIN_KEY, ADA, first, NOW + timedelta(seconds=5), tz=UTC).console
    assert again["rate_window"] == "month" and again["rate_usd_per_hour"] > 0
    assert again["projected_usd"] > again["mtd_usd"] + 100
    later = console.refresh(client(), ADMIN_KEY, ADA, again, NOW + timedelta(minutes=12), tz=UTC).console
    assert later["rate_window"] == "30m"  # a baseline 12 minutes old is a window


def test_forced_refresh_right_after_a_fetch_shows_avg_end_to_end(api, admin):
    real_org(api)
    assert fetch().returncode == 0
    r = cli("refresh")
    assert r.returncode == 0, r.stdout + r.stderr
    c = snapshot()["console"]
    assert len(c["history"]) == 2 and c["history"][1][0] - c["history"][0][0] < 60
    assert c["rate_window"] == "month" and c["rate_usd_per_hour"] > 0
    assert c["projected_usd"] > c["mtd_usd"] or datetime.now().day == month_last_day()
    text = line("--format", "plain", "--no-refresh").stdout.strip()
    assert text.endswith("/h avg") and "$0.00/h" not in text, text


def month_last_day() -> int:
    n = datetime.now()
    nxt = datetime(n.year + (n.month == 12), n.month % 12 + 1, 1)
    return (nxt - timedelta(days=1)).day


def test_projection_runs_to_the_local_end_of_the_month():
    assert spend.projection(45.6, 0.5, NOW, UTC) == pytest.approx(45.6 + 0.5 * 21.5 * 24)
    west = timezone(timedelta(hours=-8))
    assert spend.projection(45.6, 0.5, NOW, west) == pytest.approx(45.6 + 0.5 * (21.5 * 24 + 8))
    assert spend.projection(45.6, 0.0, NOW, UTC) == 45.6
    late = at(2025, 5, 31, 20)  # already June 1st in UTC+10: the month being totalled is over there
    assert spend.projection(45.6, 3.0, late, timezone(timedelta(hours=10))) == 45.6
    assert spend.projection(45.6, 3.0, at(2025, 12, 31, 23), UTC) == pytest.approx(48.6), "December"
    assert spend.projection(45.6, 3.0, NOW) > 45.6, "system zone by default"


def test_refresh_fills_rate_and_projection_from_the_injected_clock(api):
    Org(api, {}, default=lambda day: [[user(ADA, 1000)]])
    c = console.refresh(client(), ADMIN_KEY, ADA, None, NOW, tz=UTC).console
    assert c["mtd_usd"] == 100.0 and c["rate_window"] == "month"
    assert c["rate_usd_per_hour"] == pytest.approx(100 / (9.5 * 24), abs=1e-4)
    assert c["projected_usd"] == pytest.approx(100 + 100 / (9.5 * 24) * 21.5 * 24, abs=0.01)
    assert c["history"] == [[T, 100.0]]


def test_history_is_thinned_and_bounded():
    hist: list = []
    t0 = at(2025, 5, 2).timestamp()
    for i in range(2880):  # a forced refresh every 30 s for a day
        hist = spend.add_sample(hist, t0 + i * 30, i / 100, SINCE)
    assert hist[0][0] == t0 and hist[-1] == [t0 + 2879 * 30, 28.79], "the oldest and the newest stay"
    gaps = [b[0] - a[0] for a, b in zip(hist, hist[1:-1], strict=False)]
    assert min(gaps) >= spend.HISTORY_SPACING and len(hist) <= 86400 / spend.HISTORY_SPACING + 2
    later = t0 + 8 * 86400
    assert [s[0] for s in spend.add_sample(hist, later, 1.0, SINCE)] == [later], "7 days kept, no more"
    dense = [[later - 200 * i, 1.0] for i in range(3000, 0, -1)]
    assert len(spend.add_sample(dense, later, 1.0, SINCE)) == spend.HISTORY_MAX


# Who is the current user ------------------------------------------------------------------

def test_current_email_precedence(home):
    paths = resolve()
    assert console.current_email(paths, {}, None) == (None, "not found: set CLAUDE_USAGE_EMAIL=you@example.com")
    assert console.current_email(paths, {}, "p@example.com") == ("p@example.com", "OAuth profile")
    (home / ".claude.json").write_text(json.dumps({"oauthAccount": {"emailAddress": "local@example.com"}}))
    email, where = console.current_email(paths, {}, "p@example.com")
    assert email == "local@example.com" and "oauthAccount.emailAddress" in where
    assert console.current_email(paths, {"CLAUDE_USAGE_EMAIL": " me@example.com "}, None) == (
        "me@example.com", "CLAUDE_USAGE_EMAIL")
    assert spend.same_email("Ada@Example.COM", "ada@example.com")
    assert not spend.same_email("ada@example.com.evil", "ada@example.com")
    assert not spend.same_email("", "") and not spend.same_email(None, ADA)


# Whole processes --------------------------------------------------------------------------

def real_org(api) -> Org:
    """Ada spends $1.00 every day of the real month; Bob and an API key spend more."""
    return Org(api, {}, default=lambda day: [[user("bob@example.com", 5000)],
                                             [user(ADA.upper(), 60, 40), key_actor(7000)]])


def snapshot() -> dict[str, Any]:
    return json.loads((account_dir() / "snapshot.json").read_text())


@pytest.fixture
def admin(monkeypatch):
    monkeypatch.setenv("ANTHROPIC_ADMIN_API_KEY", ADMIN_KEY)
    monkeypatch.setenv("CLAUDE_USAGE_EMAIL", ADA)


def test_line_shows_my_month_end_to_end(api, admin):
    real_org(api)
    today = datetime.now(UTC).day
    doc = wait_for(lambda: (d := line("--format", "json")) and json.loads(d.stdout).get("console")
                   and json.loads(d.stdout), timeout=10)
    assert doc["mode"] == "console" and doc["status"] == "ok"
    assert doc["console"]["mtd_usd"] == float(today) and doc["console"]["email"] == ADA
    assert doc["console"]["month"] == datetime.now(UTC).strftime("%Y-%m")
    assert doc["console"]["rate_window"] == "month" and doc["console"]["projected_usd"] >= today
    text = line("--format", "plain", "--no-refresh").stdout.strip()
    assert re.fullmatch(r"\$\d+\.\d\d MTD → \$\d+\.\d\d · \$\d+\.\d\d/h( avg)?", text), text
    assert text.startswith(f"${today}.00 MTD")
    assert api.count(CC) == 2 * today, "one day per request, two pages each"
    for f in account_dir().iterdir():
        assert ADMIN_KEY.encode() not in f.read_bytes(), f"admin key leaked into {f.name}"


def test_fetcher_second_run_asks_only_recent_days(api, admin):
    org = real_org(api)
    r = fetch()
    assert r.returncode == 0, r.stdout + r.stderr
    first = len(org.asked())
    age_cache(400)
    r = fetch()
    assert r.returncode == 0 and "requests" in r.stdout, r.stdout + r.stderr
    today = datetime.now(UTC).date()
    recent = sorted({(today - timedelta(days=1)).isoformat(), today.isoformat()}
                    & {d for d in org.asked()})
    assert sorted(set(org.asked()[first:])) == recent and len(org.asked()) - first == 2 * len(recent)


def test_missing_email_is_a_clear_marker_and_keeps_the_total(api, admin, monkeypatch):
    real_org(api)
    assert fetch().returncode == 0
    good = line_json()["console"]["mtd_usd"]
    monkeypatch.delenv("CLAUDE_USAGE_EMAIL")
    age_cache(400)
    n = len(api.requests)
    r = fetch()
    assert r.returncode == 1 and "CLAUDE_USAGE_EMAIL" in r.stdout
    assert len(api.requests) == n, "no API call without knowing who to count"
    doc = line_json()
    assert doc["console"]["mtd_usd"] == good and "CLAUDE_USAGE_EMAIL" in doc["error"]
    assert snapshot()["last_error"]["kind"] == "no_email"


def test_missing_email_without_data(api, admin, monkeypatch):
    real_org(api)
    monkeypatch.delenv("CLAUDE_USAGE_EMAIL")
    assert fetch().returncode == 1 and api.count(CC) == 0
    assert line("--format", "plain", "--no-refresh").stdout.strip() == "claude: no email set"


def test_no_admin_key_in_forced_console_mode(api):
    r = fetch("--mode", "console")
    assert r.returncode == 1 and "ANTHROPIC_ADMIN_API_KEY" in r.stdout
    assert json.loads((account_dir("console") / "snapshot.json").read_text())["last_error"]["kind"] == "no_credentials"


def test_wrong_key_keeps_the_total_and_backs_off(api, admin, monkeypatch):
    real_org(api)
    assert fetch().returncode == 0
    good = line_json()["console"]["mtd_usd"]
    age_cache(400)
    wrong = "sk-ant-admin01-WRONGKEY-zzzzzzzzzzzzzzzzzzzzzzzz"
    monkeypatch.setenv("ANTHROPIC_ADMIN_API_KEY", wrong)
    r = fetch()
    assert r.returncode == 1 and "401" in r.stdout
    snap = snapshot()
    assert snap["last_error"]["kind"] == "auth_invalid" and snap["backoff"]["until"] is None
    assert snap["backoff"]["cred_sig"].endswith("|k" + fnv1a64(wrong)[:8]), "waits for another key"
    doc = line_json()
    assert doc["status"] == "auth_expired" and doc["console"]["mtd_usd"] == good
    everything = r.stdout + r.stderr + "".join(f.read_text(errors="replace") for f in account_dir().iterdir())
    assert "WRONGKEY" not in everything and ADMIN_KEY not in everything
    n = len(api.requests)
    r = fetch()
    assert "waiting for" in r.stdout and len(api.requests) == n, "no request while the key is unchanged"


def test_429_on_one_day_in_process_shows_the_pause_and_keeps_the_total(api, admin):
    org = real_org(api)
    assert fetch().returncode == 0
    good = line_json()["console"]["mtd_usd"]
    age_cache(400)
    org.fail[datetime.now(UTC).date().isoformat()] = Reply(
        429, {"error": {"type": "rate_limit_error", "message": "Rate limited"}}, {"Retry-After": "120"})
    r = fetch()
    assert r.returncode == 1 and "429" in r.stdout
    doc = line_json()
    assert doc["status"] == "rate_limited" and doc["console"]["mtd_usd"] == good
    text = line("--format", "plain", "--no-refresh").stdout.strip()
    assert text.startswith(f"${good:.2f} MTD") and "\u23f8" in text, text
    assert len(snapshot()["console"]["days"]) == datetime.now(UTC).day, "no day lost"


def test_429_during_the_first_fetch_keeps_fetched_days_for_the_next_run(api, admin):
    org = real_org(api)
    today = datetime.now(UTC).date()
    org.fail[today.isoformat()] = Reply(429, {"error": {"message": "Rate limited"}}, {"Retry-After": "60"})
    assert fetch().returncode == 1
    snap = snapshot()
    assert snap["console"] is None and snap["last_error"]["kind"] == "rate_limited"
    assert len(snap["extra"]["console_pending"]["days"]) == today.day - 1
    assert line("--format", "plain", "--no-refresh").stdout.strip().startswith("claude: \u23f8")
    first = len(org.asked())
    del org.fail[today.isoformat()]
    r = fetch("--force")
    assert r.returncode == 0, r.stdout
    recent = {(today - timedelta(days=1)).isoformat(), today.isoformat()} & set(org.asked())
    assert set(org.asked()[first:]) == recent, "the settled days were not asked again"
    assert line_json()["console"]["mtd_usd"] == float(today.day) and "console_pending" not in snapshot()["extra"]


def test_a_fixed_admin_key_ends_the_rejection_at_the_next_call(api, admin, monkeypatch):
    """A wrong key, then the right one: the very next line starts a fetch (no hour-long wait)."""
    real_org(api)
    monkeypatch.setenv("ANTHROPIC_ADMIN_API_KEY", "sk-ant-admin01-WRONG-KEY")
    wait_for(lambda: line("--format", "plain").stdout.strip() == "claude: admin key rejected", timeout=10)
    n = len(api.requests)
    line("--format", "plain")
    time.sleep(0.5)
    assert len(api.requests) == n, "an unchanged wrong key waits: no retry storm"
    monkeypatch.setenv("ANTHROPIC_ADMIN_API_KEY", ADMIN_KEY)
    text = wait_for(lambda: (t := line("--format", "plain").stdout.strip()).endswith("/h avg") and t, timeout=10)
    assert "MTD" in text and "rejected" not in text


def test_a_mistyped_email_is_named_not_shown_as_zero(api, admin, monkeypatch):
    """Nobody's costs match a typo: once a day at most the organization's users are asked, and
    the line, refresh, doctor and the panel say the email is not one of them."""
    real_org(api)
    typo = "ada@exmaple.com"
    monkeypatch.setenv("CLAUDE_USAGE_EMAIL", typo)
    r = cli("refresh")
    assert r.returncode == 0 and f"{typo} is not one of the organization's users" in r.stdout, r.stdout + r.stderr
    asked = api.count(USERS_PATH)
    assert asked == 2, "every page of three users, two a page"
    assert "unknown email" in line("--format", "plain", "--no-refresh").stdout
    panel_text = cli().stdout
    assert f"{typo} is not one of the users of Analytical Engines" in " ".join(panel_text.split()).replace("│ ", "")
    doctor = cli("doctor").stdout
    assert f"[!!] Console user: {typo} (CLAUDE_USAGE_EMAIL) is not one of the users of Analytical Engines" in doctor
    age_cache(400)
    assert fetch().returncode == 0
    assert api.count(USERS_PATH) == asked, "the answer holds for a day"


def test_a_real_email_with_costs_asks_no_users(api, admin):
    real_org(api)
    assert fetch().returncode == 0
    assert api.count(USERS_PATH) == 0 and "unknown email" not in line("--format", "plain", "--no-refresh").stdout


def test_is_member_pages_and_failures():
    from apiserver import ApiServer

    server = ApiServer()
    try:
        server.set_handler(USERS_PATH, users_handler([f"u{i}@x.io" for i in range(5)] + ["Me@X.io"], per_page=2))
        client = api.Client({"CLAUDE_USAGE_API_URL": server.url})
        assert console.is_member(client, ADMIN_KEY, "me@x.io") == (True, 3)
        assert console.is_member(client, ADMIN_KEY, "you@x.io") == (False, 3)
        server.set(USERS_PATH, Reply(500, {"error": {"message": "down"}}))
        assert console.is_member(client, ADMIN_KEY, "me@x.io") == (None, 1)
    finally:
        server.close()


def test_console_mode_falls_back_to_the_oauth_profiles_email(api, home, monkeypatch):
    """#27.6: no CLAUDE_USAGE_EMAIL and no ~/.claude.json, but a Claude Code login: the README
    says Console mode then takes the OAuth profile's email; it said "no email set" instead."""
    from conftest import write_credentials

    real_org(api)
    write_credentials(home)
    monkeypatch.setenv("ANTHROPIC_ADMIN_API_KEY", ADMIN_KEY)
    r = fetch("--mode", "console")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "from OAuth profile" in r.stdout and api.count("/api/oauth/profile") == 1
    doc = line_json(None, "--mode", "console")
    assert doc["console"]["email"] == ADA and doc["console"]["mtd_usd"] == float(datetime.now(UTC).day)
    age_cache(400, "console")
    assert fetch("--mode", "console").returncode == 0
    assert api.count("/api/oauth/profile") == 1  # kept for the profile's TTL, not asked at every fetch
