"""The two JSON documents tell themselves apart and keep exactly their documented keys.

Both come from the real commands on a real cache fetched from the loopback API; the key sets
are also checked against docs/json.md, so the documentation and the code cannot drift.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from apiserver import usage_body
from helpers import cli, line

# Process-level scenarios: the main Python runs them (.ci/run), the others the rest.
pytestmark = pytest.mark.scenario

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "json.md").read_text()

LINE_KEYS = {"schema", "kind", "mode", "status", "fetched_at", "age_seconds", "five_hour", "seven_day",
             "weekly_scoped", "extra_usage", "source", "backoff_until", "error", "console", "pace_maker",
             "routines", "spend", "no_plan_limits", "next_call_at", "forecast", "service"}
READING_KEYS = {"utilization", "resets_at", "source", "observed_at"}
SNAPSHOT_KEYS = {"kind", "schema", "mode", "account", "token_fp", "usage", "usage_fetched_at", "usage_source",
                 "profile", "profile_fetched_at", "console", "console_fetched_at", "pace_maker", "last_error",
                 "backoff", "last_attempt_at", "extra", "status", "problem"}
USAGE_KEYS = {"five_hour", "seven_day", "routines", "scoped", "extra", "spend", "no_limits"}
WINDOW_KEYS = {"utilization", "resets_at", "observed_at", "source"}
EXTRA_KEYS = {"enabled", "monthly_limit", "used", "utilization", "currency", "disabled_reason"}
PROFILE_KEYS = {"display_name", "full_name", "email", "account_uuid", "organization", "organization_type",
                "has_claude_max", "has_claude_pro", "rate_limit_tier"}
ERROR_KEYS = {"kind", "message", "at", "status"}
BACKOFF_KEYS = {"kind", "failures", "until", "cred_sig"}


def section(title: str) -> str:
    """The ``## `` section whose heading holds ``title``."""
    start = next(i + 1 for i in range(len(DOC)) if DOC.startswith("\n## ", i) and title in DOC[i:DOC.index("\n", i + 1)])
    end = DOC.find("\n## ", start + 1)
    return DOC[start:end if end > 0 else None]


def table_keys(text: str) -> set[str]:
    return set(re.findall(r"^\| `([a-z_]+)` \|", text, re.M))


def test_the_line_document_is_kind_line_schema_1_with_exactly_its_keys(warm):
    doc = json.loads(line("--format", "json", "--no-refresh").stdout)
    assert doc["kind"] == "line" and doc["schema"] == 1
    assert set(doc) == LINE_KEYS
    assert set(doc["five_hour"]) == READING_KEYS and set(doc["seven_day"]) == READING_KEYS
    assert table_keys(section('`"kind": "line"`')) == LINE_KEYS


def test_the_snapshot_document_is_kind_snapshot_with_exactly_its_keys(warm):
    r = cli("--json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["kind"] == "snapshot" and doc["schema"] == 1 and doc["problem"] is None
    assert set(doc) == SNAPSHOT_KEYS
    assert set(doc["usage"]) == USAGE_KEYS and set(doc["usage"]["five_hour"]) == WINDOW_KEYS
    assert set(doc["usage"]["extra"]) == EXTRA_KEYS and set(doc["profile"]) == PROFILE_KEYS
    snapshot_doc = section('`"kind": "snapshot"`')
    assert table_keys(snapshot_doc) == SNAPSHOT_KEYS
    for nested in (USAGE_KEYS, EXTRA_KEYS, PROFILE_KEYS, ERROR_KEYS, BACKOFF_KEYS):
        assert all(f'"{k}"' in snapshot_doc for k in nested), nested


def test_error_and_backoff_keys(api, logged_in):
    from apiserver import Reply
    from helpers import fetch

    api.set("/api/oauth/usage", Reply(429, {"error": {"type": "rate_limit_error"}}, {"Retry-After": "600"}))
    fetch()
    doc = json.loads(cli("--json").stdout)
    assert set(doc["last_error"]) == ERROR_KEYS and set(doc["backoff"]) == BACKOFF_KEYS


def test_the_waybar_tooltip_speaks_local_time(api, logged_in, monkeypatch):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from apiserver import Reply
    from helpers import fetch

    monkeypatch.setenv("TZ", "Asia/Kolkata")  # +05:30: a UTC time cannot pass for it
    now = time.time()
    api.set("/api/oauth/usage", Reply(200, usage_body(now=now, five_reset_in=60, seven_reset_in=3 * 86400)))
    fetch()
    tip = json.loads(line("--format", "waybar", "--no-refresh").stdout)["tooltip"]
    assert "+00:00" not in tip and not re.search(r"resets \d{4}-", tip), tip
    kolkata = ZoneInfo("Asia/Kolkata")
    five, seven = datetime.fromtimestamp(now + 60, kolkata), datetime.fromtimestamp(now + 3 * 86400, kolkata)
    today = datetime.fromtimestamp(now, kolkata).date()
    five_text = five.strftime("%H:%M") if five.date() == today else five.strftime("%a %H:%M")
    assert f"5-hour: 78% (resets {five_text})" in tip, tip
    assert f"7-day: 41% (resets {seven.strftime('%a %H:%M')})" in tip, tip
