"""Every free source as readings, merged by one rule, and the agent string our requests carry."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from pathlib import Path

import pytest
import shapes
from apiserver import Reply, usage_body
from helpers import age_cache, fetch, line, line_json

from statusline.core import jsonlite, readings
from statusline.sources import claude_code

U = "/api/oauth/usage"
NOW = time.time()
FIXTURE = Path(__file__).parents[2] / "bench" / "statusline-input-2.1.332.json"


def hook(doc: dict | str, *args: str, env=None):
    text = doc if isinstance(doc, str) else json.dumps(doc)
    return line("--claude-code", *args, input=text, env=env)


def rate_limits(five=None, seven=None, five_reset=NOW + 6000, seven_reset=NOW + 5 * 86400):
    rl = {}
    if five is not None:
        rl["five_hour"] = {"used_percentage": five, "resets_at": five_reset}
    if seven is not None:
        rl["seven_day"] = {"used_percentage": seven, "resets_at": seven_reset}
    return rl


# --- Claude Code's input ---------------------------------------------------------------------

def test_2_1_90_float_noise_reads_57(logged_in):
    r = hook({"version": "2.1.90", "rate_limits": rate_limits(56.99999999999999, 41.00000000000001)})
    assert "5h 57%" in r.stdout and "7d 41%" in r.stdout
    assert line_json()["five_hour"]["utilization"] == 57.0


def test_a_window_gone_after_its_reset_is_not_shown_with_its_old_figure(logged_in):
    soon = time.time() + 2
    hook({"rate_limits": rate_limits(88.0, 41.0, five_reset=soon)})
    assert line_json()["five_hour"]["utilization"] == 88.0
    time.sleep(2.5)  # the 5-hour window resets; Claude Code drops it from its input
    r = hook({"rate_limits": rate_limits(None, 41.0)})
    assert "5h 88%" not in r.stdout and "7d 41%" in r.stdout
    doc = line_json()
    assert doc["five_hour"] is None or doc["five_hour"]["utilization"] == 0.0


def test_a_window_missing_before_its_reset_is_kept(logged_in):
    hook({"rate_limits": rate_limits(30.0, 41.0)})
    hook({"rate_limits": rate_limits(None, 42.0)})
    doc = line_json()
    assert doc["five_hour"]["utilization"] == 30.0 and doc["seven_day"]["utilization"] == 42.0


def test_the_recorded_2_1_332_input_with_every_new_key(logged_in):
    doc = json.loads(FIXTURE.read_text())
    doc["rate_limits"] = rate_limits(37.0, 61.0)  # the recording's own resets may lie in the past by now
    doc.update({"session_name": "x", "pr": {"number": 7}, "remote": {"host": "h"},
                "workspace": {**doc["workspace"], "git_worktree": "w", "repo": {"name": "r"}}})
    doc["rate_limits"]["spend_limit"] = {"used_percentage": 104.5, "used_usd": 52.25, "limit_usd": 50,
                                         "period": "month"}
    r = hook(doc, "--show", "model,context,cost")
    assert r.returncode == 0 and "5h 37%" in r.stdout and "7d 61%" in r.stdout and "Opus 5.5" in r.stdout
    j = line_json()
    assert j["five_hour"]["source"] == "claude-code" and j["spend"]["utilization"] == 104.5
    raw = FIXTURE.read_text()
    assert hook(raw).returncode == 0, "the recording as it is, with its own resets"


@pytest.mark.parametrize("bad", [
    {"used_percentage": float("nan"), "resets_at": NOW + 60},
    {"used_percentage": "57", "resets_at": NOW + 60},
    {"used_percentage": -3, "resets_at": NOW + 60},
    {"used_percentage": 50, "resets_at": "soon"},
    {"used_percentage": 50, "resets_at": 10 ** 30},
    {"used_percentage": 50, "resets_at": -1},
    {"used_percentage": 1e308, "resets_at": NOW + 60},
])
def test_hostile_numbers_never_reach_the_cache(logged_in, bad):
    hook({"rate_limits": rate_limits(20.0, 30.0)})
    text = json.dumps({"rate_limits": {"five_hour": bad}}).replace("NaN", "NaN")
    r = hook(text)
    assert r.returncode == 0 and "5h 20%" in r.stdout, r.stdout
    assert line_json()["five_hour"]["utilization"] == 20.0


def test_resets_in_milliseconds_and_microseconds_are_scaled():
    t = 1_795_609_980
    for v in (t, t * 1000, t * 1_000_000):
        assert claude_code.reset_epoch(v, t - 100) == pytest.approx(t)
    assert claude_code.reset_epoch(t * 10**9 * 10, t) is None


def test_jsonlite_agrees_with_json():
    samples = [FIXTURE.read_text(), '{"a": [1, -2.5e3, true, false, null, "\\u00e9\\ud83d\\ude00\\n"]}', "[]", '"x"']
    for s in samples:
        assert jsonlite.loads(s) == json.loads(s)
    for bad in ("NaN", '{"a": Infinity}', "[1,]", "{", '{"a" 1}', "01", "1.", '"\x01"', "[" * 100 + "]" * 100):
        with pytest.raises(ValueError):
            jsonlite.loads(bad)


# --- ~/.claude.json and Pace Maker -----------------------------------------------------------

def write_claude_json(home: Path, body: dict, fetched_at: float, uuid: str = "acc-1111") -> None:
    doc = {"oauthAccount": {"accountUuid": uuid, "emailAddress": "ada@example.com"},
           "cachedUsageUtilization": {"fetchedAtMs": int(fetched_at * 1000), "accountUuid": uuid,
                                      "utilization": body}}
    (home / ".claude.json").write_text(json.dumps(doc))


def test_an_old_cached_usage_never_masquerades_as_fresh(api, logged_in, home):
    write_claude_json(home, usage_body(90.0, 50.0, now=NOW - 3 * 86400), NOW - 3 * 86400)
    api.set(U, Reply(500, {}))
    fetch()
    doc = line_json()
    assert doc["five_hour"] is None or doc["five_hour"]["utilization"] == 0.0, "that window reset days ago"
    assert doc["fetched_at"] is None or doc["age_seconds"] > 86400


def test_a_fresh_cached_usage_counts_and_the_fresher_reading_wins_even_when_lower(api, logged_in, home):
    api.set(U, Reply(200, usage_body(40.0, 20.0, now=NOW)))
    fetch()
    write_claude_json(home, usage_body(45.0, 19.0, now=NOW), time.time())
    age_cache(40)
    api.set(U, Reply(500, {}))
    fetch()
    doc = line_json()
    assert doc["five_hour"]["utilization"] == 45.0 and doc["five_hour"]["source"] == "claude-json"
    # ~/.claude.json heard the server 40 s after our last answer: its lower 7-day figure is the truth.
    assert doc["seven_day"]["utilization"] == 19.0 and doc["seven_day"]["source"] == "claude-json"


def make_pace_maker(home: Path, util: float, at: float, backoff_until: float | None = None) -> Path:
    pm = home / ".claude-pace-maker"
    pm.mkdir(exist_ok=True)
    (pm / "config.json").write_text(json.dumps({"enabled": True}))
    db = sqlite3.connect(pm / "usage.db")
    db.execute("CREATE TABLE api_cache (id INTEGER PRIMARY KEY, timestamp REAL, five_hour_util REAL, "
               "five_hour_resets_at TEXT, seven_day_util REAL, seven_day_resets_at TEXT, raw_response TEXT)")
    db.execute("CREATE TABLE backoff_state (id INTEGER PRIMARY KEY, consecutive_429s INTEGER, backoff_until REAL, "
               "last_success_time REAL)")
    iso = lambda t: time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t))  # noqa: E731 - naive UTC, as Pace Maker
    db.execute("INSERT INTO api_cache VALUES (1, ?, ?, ?, 12.0, ?, '{}')",
               (at, util, iso(NOW + 6000), iso(NOW + 4 * 86400)))
    db.execute("INSERT INTO backoff_state VALUES (1, 2, ?, ?)", (backoff_until, at))
    db.commit()
    db.close()
    return pm


def test_pace_maker_rows_are_readings(api, logged_in, home):
    make_pace_maker(home, 66.0, time.time())
    api.set(U, Reply(200, usage_body(60.0, 10.0, now=NOW)))
    fetch()
    doc = line_json()
    # Pace Maker's reading is fresh and larger in the same window: it wins; and it is fresh
    # enough that the API was not asked at all.
    assert doc["five_hour"]["utilization"] == 66.0 and doc["five_hour"]["source"] == "pace-maker"
    assert api.count(U) == 0


def test_pace_makers_backoff_is_honoured(api, logged_in, home):
    fetch()
    n = api.count(U)
    make_pace_maker(home, 66.0, time.time() - 3600, backoff_until=time.time() + 600)
    age_cache(40)
    r = fetch()
    assert api.count(U) == n and "Pace Maker" in r.stdout
    assert line_json()["status"] == "rate_limited"


def test_pace_maker_files_are_never_written(api, logged_in, home):
    pm = make_pace_maker(home, 66.0, time.time() - 3600)
    before = {p.name: p.read_bytes() for p in pm.iterdir()}
    fetch()
    age_cache(40)
    fetch()
    assert {p.name: p.read_bytes() for p in pm.iterdir()} == before


def test_merge_rule():
    a = ("five_hour", None, 40.0, 1_800_000_000.0, 1_799_990_000.0, "api")
    b = ("five_hour", None, 38.0, 1_800_000_030.0, 1_799_990_100.0, "claude-code")  # same window, lower
    c = ("five_hour", None, 2.0, 1_800_018_000.0, 1_799_990_200.0, "claude-code")  # the next window
    assert readings.merge([a], [b]) == [b], "the newer reading wins, lower or not"
    assert readings.merge([a, b], [c]) == [c]
    assert readings.merge([c], [a]) == [c], "an older reading never comes back"
    assert readings.live(a, 1_800_000_001.0)[2] == 0.0


# --- the agent string --------------------------------------------------------------------------

def fake_claude(tmp_path: Path, version: str) -> dict[str, str]:
    bindir = tmp_path / "fakebin"
    bindir.mkdir()
    exe = bindir / "claude"
    exe.write_text(f"#!/bin/sh\necho '{version} (Claude Code)'\n")
    exe.chmod(0o755)
    return dict(os.environ, PATH=f"{bindir}{os.pathsep}{os.environ['PATH']}")


def test_user_agent_is_the_claude_code_the_user_runs(api, logged_in, tmp_path):
    env = fake_claude(tmp_path, "2.1.97")
    fetch(env=env)
    assert api.requests[-1].headers["User-Agent"] == "claude-code/2.1.97"


def test_user_agent_from_the_hooks_input_wins(api, logged_in, tmp_path):
    env = fake_claude(tmp_path, "2.1.97")
    hook({"version": "2.1.332"}, env=env)
    fetch("--force", env=env)
    assert {r.headers["User-Agent"] for r in api.requests} == {"claude-code/2.1.332"}


def test_user_agent_fallback_is_a_real_claude_code_version(api, logged_in):
    fetch(env=dict(os.environ, PATH="/usr/bin:/bin"))
    ua = api.requests[-1].headers["User-Agent"]
    assert ua.startswith("claude-code/2.") and ua != "claude-code/2.0.37"


def test_shapes_module_bodies_parse(api, logged_in):
    api.set(U, Reply(200, shapes.limits_only()))
    fetch()
    assert line_json()["five_hour"]["utilization"] == 34.0


def test_doctor_lists_every_source_with_its_age(api, logged_in, home):
    from helpers import cli

    hook({"version": "2.1.332", "rate_limits": rate_limits(20.0, 30.0)})
    write_claude_json(home, usage_body(10.0, 5.0, now=NOW), time.time() - 7200)
    fetch("--force")
    out = cli("doctor").stdout
    assert "source usage API: last answer" in out and "User-Agent claude-code/2.1.332" in out
    assert "source Claude Code statusLine: last input" in out and "source Claude Code statusLine: last input none" not in out
    assert "(cachedUsageUtilization): 2h 0m ago" in out or "(cachedUsageUtilization): 1h 59m ago" in out
