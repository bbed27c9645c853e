"""Anthropic's status page (#26.7): a real loopback server playing status.claude.com's
``/api/v2/summary.json``; the fetcher as a real process; the marker on every target's line,
the incident in the panel and doctor; at most one request every two minutes, one at every
refresh, none when it is off; and a page that lies, hangs or answers HTML breaks nothing."""

from __future__ import annotations

import json
import threading

import pytest
from apiserver import ApiServer, Reply
from helpers import age_cache, cli, fetch, line, line_json

from statusline.sources import status_page

S = "/api/v2/summary.json"
LINK = "https://stspg.io/abc123"


def summary(code="operational", api="operational", incident=None, components=None):
    body = {"page": {"id": "x", "name": "Claude"}, "status": {"indicator": "minor", "description": "x"},
            "components": [{"name": "claude.ai", "status": "major_outage"},
                           {"name": "Claude API (api.anthropic.com)", "status": api},
                           {"name": "Claude Code", "status": code}],
            "incidents": [], "scheduled_maintenances": []}
    if incident:
        body["incidents"].append({"name": incident, "status": "investigating", "impact": "major", "shortlink": LINK,
                                  "updated_at": "2026-12-07T10:00:00Z",
                                  "components": components if components is not None else [{"name": "Claude Code"}]})
    return body


@pytest.fixture
def page(monkeypatch):
    server = ApiServer()
    server.set(S, Reply(200, summary()))
    monkeypatch.setenv("CLAUDE_USAGE_STATUS_URL", server.url)
    yield server
    server.close()


def test_summaries_name_only_what_touches_claude_code_or_the_api():
    assert status_page.summary(summary())["state"] is None  # claude.ai alone is down: not ours
    assert status_page.summary(summary(code="partial_outage"))["state"] == "outage"
    assert status_page.summary(summary(api="degraded_performance"))["state"] == "degraded"
    got = status_page.summary(summary(incident="Elevated errors on Claude Code"))
    assert got == {"state": "incident", "name": "Elevated errors on Claude Code", "link": LINK, "components": []}
    assert status_page.summary(summary(incident="claude.ai login", components=[{"name": "claude.ai"}]))["state"] is None
    assert status_page.summary(summary(code="major_outage", incident="x"))["state"] == "outage"  # the worst wins
    for body in (None, [], "x", {"components": "no"}, {"incidents": [None, 3]}):
        assert status_page.summary(body)["state"] is None
    hostile = summary(incident="\x1b]0;PWNED\x07 errors\u202e", code="degraded_performance")
    hostile["incidents"][0]["shortlink"] = "javascript:alert(1)"
    got = status_page.summary(hostile)
    assert "\x1b" not in got["name"] and "\u202e" not in got["name"] and got["link"] is None


def test_an_outage_shows_on_every_target_and_names_its_incident(warm, page):
    page.set(S, Reply(200, summary(code="major_outage", incident="Claude Code is down")))
    assert cli("refresh").returncode == 0
    assert line("--format", "plain", "--no-refresh").stdout.strip().endswith("\u00b7 \u26a0 outage")
    assert "\u26a0 outage" in line("--claude-code", "--no-refresh", input="{}").stdout
    assert "! outage" in line("--format", "tmux", "--glyphs", "ascii", "--no-refresh").stdout
    assert line_json()["service"] == {"state": "outage", "name": "Claude Code is down", "link": LINK}
    panel = cli().stdout
    assert "Anthropic reports an outage" in panel and "Claude Code is down" in panel and LINK in panel
    doctor = cli("doctor").stdout
    assert "reports an outage touching Claude Code or the API: Claude Code is down" in doctor and LINK in doctor
    page.set(S, Reply(200, summary()))  # it is over
    assert cli("refresh").returncode == 0
    assert "outage" not in line("--format", "plain", "--no-refresh").stdout and line_json()["service"] is None


def test_one_request_every_two_minutes_and_one_at_every_refresh(warm, page):
    assert fetch("--force").returncode == 0
    asked = page.count(S)
    assert asked == 1
    for _ in range(3):
        age_cache(60)
        assert fetch().returncode == 0
    assert page.count(S) == asked  # within two minutes: asked no more
    assert cli("refresh").returncode == 0 and page.count(S) == asked + 1


def test_off_asks_nothing_and_local_only_still_asks(warm, page, home, monkeypatch):
    config = home / ".config" / "claude-usage" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text("[sources]\nstatus = false\n")
    assert cli("refresh").returncode == 0 and page.count(S) == 0
    assert "Anthropic status page: off" in cli("doctor").stdout
    config.write_text("[sources]\nusage_api = false\n")  # no login needed for the page: it stays on
    cli("refresh")
    assert page.count(S) == 1


@pytest.mark.parametrize("reply", [Reply(200, "<html>maintenance</html>", content_type="text/html"),
                                   Reply(500, {"error": "x"}), Reply(200, "x" * (3 << 20)),
                                   Reply(200, summary(code="major_outage"), drip=0.5)])
def test_a_page_that_lies_hangs_or_answers_html_breaks_nothing(warm, page, reply, monkeypatch):
    monkeypatch.setenv("CLAUDE_USAGE_HTTP_TIMEOUT", "1")
    page.set(S, reply)
    r = cli("refresh")
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr  # the usage was updated all the same
    assert line("--format", "plain", "--no-refresh").stdout.startswith("5h 78%")
    assert line_json()["service"] is None
    assert "the last ask failed" in cli("doctor").stdout


def test_a_page_that_fails_keeps_the_state_it_knew(warm, page):
    page.set(S, Reply(200, summary(api="degraded_performance")))
    assert cli("refresh").returncode == 0 and line_json()["service"]["state"] == "degraded"
    gate = threading.Event()
    page.set(S, Reply(503, "busy", gate=gate))
    gate.set()
    assert cli("refresh").returncode == 0
    assert line_json()["service"]["state"] == "degraded"  # the page is slow in an incident: not "all well"
    assert json.loads(cli("--json").stdout)["extra"]["service"]["state"] == "degraded"
