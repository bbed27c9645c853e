"""Pace-maker reader: real SQLite files with pace-maker's tables, built per test in tmp_path."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from statusline.render.segments import GLYPHS, pace_spans
from statusline.sources.pace_maker_state import (
    PaceMakerState,
    UsageInput,
    five_hour_target,
    is_stale,
    pace,
    read_pace_maker,
    seven_day_target,
    weekday_seconds,
)


def segment_text(state, glyphs="emoji"):
    """The line's Pace Maker segment for a state (the line's own renderer)."""
    spans = pace_spans(state.to_dict(), GLYPHS[glyphs])
    return spans[1][0] if spans else None


def level(state):
    spans = pace_spans(state.to_dict(), GLYPHS["emoji"])
    return spans[1][1] if spans else "ok"

UTC = timezone.utc
H = 3600.0
DAY = 86400.0


def at(y: int, mo: int, d: int, h: float = 0) -> float:
    return datetime(y, mo, d, tzinfo=UTC).timestamp() + h * H


WED = at(2025, 6, 4)  # a Wednesday, 00:00 UTC
NOW = WED + 2 * DAY + 10 * H  # Friday 10:00 UTC
assert datetime.fromtimestamp(WED, UTC).weekday() == 2

SNAPSHOTS = """CREATE TABLE usage_snapshots (id INTEGER PRIMARY KEY AUTOINCREMENT,
    timestamp INTEGER NOT NULL,
    five_hour_util REAL, five_hour_resets_at TEXT, seven_day_util REAL, seven_day_resets_at TEXT,
    session_id TEXT, created_at INTEGER)"""
API_CACHE = """CREATE TABLE api_cache (id INTEGER PRIMARY KEY CHECK (id = 1),
    timestamp REAL NOT NULL,
    five_hour_util REAL, five_hour_resets_at TEXT, seven_day_util REAL, seven_day_resets_at TEXT,
    raw_response TEXT)"""
DECISIONS = """CREATE TABLE pacing_decisions (id INTEGER PRIMARY KEY AUTOINCREMENT,
    timestamp INTEGER NOT NULL,
    should_throttle INTEGER, delay_seconds INTEGER, session_id TEXT, created_at INTEGER)"""
OTHER = [
    "CREATE TABLE fallback_state_v2 (id INTEGER PRIMARY KEY, state TEXT)",
    "CREATE TABLE backoff_state (id INTEGER PRIMARY KEY, consecutive_429s INTEGER,"
    " backoff_until REAL,"
    " last_success_time REAL)",
]


def naive_utc(ts: float | None) -> str | None:
    """Resets as pace-maker stores them: naive UTC ISO text."""
    return None if ts is None else datetime.fromtimestamp(ts, UTC).replace(tzinfo=None).isoformat()


def make_pm(
    tmp_path: Path,
    config: Any = None,
    *,
    snapshots: list[tuple] = (),
    api: tuple | None = None,
    decisions: list[tuple] = (),
    schema: str = "full",
    journal: str = "delete",
    db: bool = True,
) -> Path:
    """A pace-maker directory. Usage tuples: (timestamp, 5h util, 5h reset, 7d util, 7d reset)."""
    d = tmp_path / "pm"
    d.mkdir(parents=True, exist_ok=True)
    cfg = {"enabled": True} if config is None else config
    (d / "config.json").write_text(cfg if isinstance(cfg, str) else json.dumps(cfg))
    if not db:
        return d
    conn = sqlite3.connect(d / "usage.db")
    conn.execute(f"PRAGMA journal_mode={journal}")
    conn.execute(SNAPSHOTS)
    if schema == "full":
        for sql in (API_CACHE, DECISIONS, *OTHER):
            conn.execute(sql)
    for ts, fu, fr, su, sr in snapshots:
        conn.execute(
            "INSERT INTO usage_snapshots (timestamp, five_hour_util, five_hour_resets_at,"
            " seven_day_util,"
            " seven_day_resets_at, session_id, created_at) VALUES (?,?,?,?,?,'s',?)",
            (int(ts), fu, naive_utc(fr), su, naive_utc(sr), int(ts)),
        )
    if api is not None:
        ts, fu, fr, su, sr = api
        conn.execute(
            "INSERT INTO api_cache VALUES (1,?,?,?,?,?,'{}')",
            (ts, fu, naive_utc(fr), su, naive_utc(sr)),
        )
    for ts, throttle, delay in decisions:
        conn.execute(
            "INSERT INTO pacing_decisions (timestamp, should_throttle, delay_seconds,"
            " session_id, created_at)"
            " VALUES (?,?,?,'s',?)",
            (int(ts), throttle, delay, int(ts)),
        )
    conn.commit()
    conn.close()
    return d


def read(d: Path, now: float = NOW, usage: UsageInput | None = None) -> PaceMakerState:
    return read_pace_maker(d, now, usage, tz=UTC)


# 5-hour window half done at NOW (target 50 %); 7-day window far behind pace.
R5 = NOW + 2.5 * H
R7 = WED + 7 * DAY


# --- targets -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "elapsed_min, expected",
    [
        (-10, 10.0), (0, 10.0), (15, 10.0), (29.9, 10.0), (30, 10.0),
        (60, 20.0), (150, 50.0), (300, 100.0), (304, 100.0),
    ],
)
def test_five_hour_ramp_with_half_hour_floor(elapsed_min: float, expected: float) -> None:
    reset = 1_000_000.0
    assert five_hour_target(reset, reset - 5 * H + elapsed_min * 60) == pytest.approx(expected)


def test_weekday_seconds_counts_only_mon_to_fri_in_the_given_zone() -> None:
    sat = at(2025, 6, 7)
    assert weekday_seconds(sat, sat + 2 * DAY, UTC) == 0
    assert weekday_seconds(WED, WED + 7 * DAY, UTC) == 5 * DAY
    assert weekday_seconds(WED + 12 * H, WED + 36 * H, UTC) == 24 * H
    # Saturday 03:00 UTC is still Friday 19:00 in UTC-8.
    pst = timezone(timedelta(hours=-8))
    assert weekday_seconds(sat + 3 * H, sat + 4 * H, pst) == H
    assert weekday_seconds(sat + 3 * H, sat + 4 * H, UTC) == 0


def test_seven_day_target_is_frozen_over_the_weekend() -> None:
    reset = WED + 7 * DAY  # window Wed 00:00 -> next Wed 00:00: 120 weekday hours
    friday_end = seven_day_target(reset, WED + 3 * DAY, tz=UTC)
    assert friday_end == pytest.approx(60.0)  # Wed, Thu, Fri = 3 of 5 weekdays
    for hours in (0.5, 10, 30, 47.9):
        assert seven_day_target(reset, WED + 3 * DAY + hours * H, tz=UTC) == pytest.approx(60.0)
    assert seven_day_target(reset, WED + 5 * DAY + 12 * H, tz=UTC) == pytest.approx(70.0)
    assert seven_day_target(reset, reset, tz=UTC) == pytest.approx(100.0)


def test_seven_day_preload() -> None:
    reset = WED + 7 * DAY
    assert seven_day_target(reset, WED + H, tz=UTC) == pytest.approx(10.0)  # 12 h of 120
    assert seven_day_target(reset, WED + 11.9 * H, tz=UTC) == pytest.approx(10.0)
    assert seven_day_target(reset, WED + 13 * H, tz=UTC) == pytest.approx(13 / 120 * 100)
    assert seven_day_target(reset, WED + 6 * H, preload_hours=24, tz=UTC) == pytest.approx(20.0)
    assert seven_day_target(reset, WED + 6 * H, preload_hours=0, tz=UTC) == pytest.approx(5.0)
    # Window opening Friday 18:00: preload spans the weekend (6 h Friday + 6 h Monday).
    fri = WED + 2 * DAY + 18 * H
    assert seven_day_target(fri + 7 * DAY, fri + 30 * H, tz=UTC) == pytest.approx(10.0)
    monday_8am = fri + 62 * H
    assert seven_day_target(fri + 7 * DAY, monday_8am, tz=UTC) == pytest.approx(14 / 120 * 100)


def test_stale_and_constrained_window_rules() -> None:
    assert not is_stale(NOW - 299, NOW) and is_stale(NOW - 301, NOW)
    tie = UsageInput(NOW, 60.0, R5, None, None)
    assert pace(tie, NOW, tz=UTC)[:2] == ("5h", 50.0)
    # Friday 12:00: both targets are exactly 50 %; equal deviations -> 5h wins.
    noon = WED + 2 * DAY + 12 * H
    assert pace(UsageInput(noon, 60.0, noon + 2.5 * H, 60.0, R7), noon, tz=UTC)[0] == "5h"
    assert pace(UsageInput(noon, 60.0, noon + 2.5 * H, 60.5, R7), noon, tz=UTC)[0] == "7d"
    t7 = 58 / 120 * 100  # 7-day target at Friday 10:00
    assert pace(UsageInput(NOW, 60.0, R5, t7 + 11, R7), NOW, tz=UTC)[0] == "7d"
    assert pace(UsageInput(NOW, 60.0, R5, t7 + 11, R7), NOW, seven_day=False, tz=UTC)[0] == "5h"
    assert pace(UsageInput(NOW, 60.0, R5, 0, R7), NOW, five_hour=False, tz=UTC)[0] == "7d"
    assert pace(UsageInput(NOW, 60.0, NOW - 600, None, None), NOW, tz=UTC) is None


# --- reading a pace-maker directory --------------------------------------------------------


def test_not_installed(tmp_path: Path) -> None:
    assert read(tmp_path / "missing") == PaceMakerState()
    (tmp_path / "pm").mkdir()
    state = read(tmp_path / "pm")
    assert not state.installed and segment_text(state) is None and level(state) == "ok"


def test_disabled(tmp_path: Path) -> None:
    d = make_pm(tmp_path, {"enabled": False, "tempo_mode": "on"}, decisions=[(NOW, 1, 45)])
    state = read(d)
    assert state.installed and not state.enabled and not state.throttling and state.tempo is True
    assert segment_text(state) is None and level(state) == "ok"
    (d / "config.json").write_text(json.dumps({"base_delay": 5}))  # no "enabled" key: off
    assert not read(d).enabled


def test_throttling(tmp_path: Path) -> None:
    d = make_pm(
        tmp_path,
        # Inserted out of order (concurrent sessions): the max timestamp wins, not the last row.
        snapshots=[(NOW - 60, 65.0, R5, 20.0, R7), (NOW - 120, 30.0, R5, 10.0, R7)],
        decisions=[(NOW - 30, 1, 45), (NOW - 3000, 0, 0)],
    )
    state = read(d)
    assert state.throttling and state.delay_seconds == 45
    assert state.constrained_window == "5h"
    assert state.target == pytest.approx(50.0) and state.utilization == 65.0
    assert state.deviation == pytest.approx(15.0)
    assert state.problem is None
    assert segment_text(state) == "🎯+15% 45s"
    assert segment_text(state, "plain") == "pace+15% 45s"
    assert level(state) == "warn"
    slow = PaceMakerState(installed=True, enabled=True, throttling=True, delay_seconds=90)
    assert level(slow) == "crit"


def test_on_pace(tmp_path: Path) -> None:
    d = make_pm(tmp_path, snapshots=[(NOW - 60, 40.0, R5, 20.0, R7)], decisions=[(NOW - 30, 0, 0)])
    state = read(d)
    assert not state.throttling and state.delay_seconds is None
    assert state.deviation == pytest.approx(-10.0) and state.constrained_window == "5h"
    assert segment_text(state) == "🎯ok" and segment_text(state, "plain") == "pace ok"
    assert level(state) == "ok"


@pytest.mark.parametrize(
    "config, tempo",
    [
        ({"tempo_mode": "auto"}, True),
        ({"tempo_mode": "on"}, True),
        ({"tempo_mode": "off"}, False),
        ({"tempo_mode": "off", "tempo_enabled": True}, False),
        ({"tempo_enabled": True}, True),
        ({"tempo_enabled": False}, False),
        ({}, None),
        ({"tempo_mode": 3}, None),
    ],
)
def test_tempo(tmp_path: Path, config: dict, tempo: bool | None) -> None:
    assert read(make_pm(tmp_path, {"enabled": True, **config})).tempo is tempo


@pytest.mark.parametrize(
    "config, algorithm, strategy",
    [
        ({}, "legacy", None),
        ({"algorithm": "adaptive"}, "adaptive", None),
        ({"pacing_algorithm": "adaptive", "strategy": "gradual"}, "adaptive", "gradual"),
        ({"adaptive_strategy": "Emergency"}, "adaptive", "emergency"),
        ({"strategy": "bogus"}, "legacy", None),
        ({"algorithm": "legacy", "strategy": "minimal"}, "legacy", None),
    ],
)
def test_algorithm_detection(
    tmp_path: Path, config: dict, algorithm: str, strategy: str | None
) -> None:
    state = read(make_pm(tmp_path, {"enabled": True, **config}))
    assert (state.algorithm, state.strategy) == (algorithm, strategy)


def test_stale_windows_are_ignored(tmp_path: Path) -> None:
    d = make_pm(tmp_path, snapshots=[(NOW - 60, 99.0, NOW - 600, 70.0, R7)])
    state = read(d)
    assert state.constrained_window == "7d" and state.utilization == 70.0
    d2 = make_pm(tmp_path / "b", snapshots=[(NOW - 60, 99.0, NOW - 600, 70.0, NOW - 400)])
    state = read(d2)
    assert state.constrained_window is None and state.target is None and state.problem is None
    assert segment_text(state) == "🎯ok"
    # Four minutes past the reset is not stale yet: the window is at 100 %.
    d3 = make_pm(tmp_path / "c", snapshots=[(NOW - 60, 99.0, NOW - 240, None, None)])
    assert read(d3).target == 100.0


def test_weekly_limit_disabled_in_config(tmp_path: Path) -> None:
    d = make_pm(tmp_path, {"enabled": True, "weekly_limit_enabled": False},
                snapshots=[(NOW - 60, 40.0, R5, 99.0, R7)])
    assert read(d).constrained_window == "5h"
    d2 = make_pm(tmp_path / "b", {"enabled": True, "five_hour_limit_enabled": False},
                 snapshots=[(NOW - 60, 99.0, R5, 10.0, R7)])
    assert read(d2).constrained_window == "7d"


def test_our_usage_wins_when_newer_and_loses_when_older(tmp_path: Path) -> None:
    d = make_pm(
        tmp_path,
        snapshots=[(NOW - 300, 40.0, R5, None, None)],
        api=(NOW - 200, 45.0, R5, None, None),
    )
    assert read(d).utilization == 45.0  # api_cache newer than the snapshot
    ours_new = UsageInput(NOW - 10, 80.0, R5, None, None)
    ours_old = UsageInput(NOW - 900, 80.0, R5, None, None)
    assert read(d, usage=ours_new).utilization == 80.0
    assert read(d, usage=ours_old).utilization == 45.0
    tie = UsageInput(NOW - 200, 80.0, R5, None, None)
    assert read(d, usage=tie).utilization == 45.0
    d2 = make_pm(
        tmp_path / "b",
        snapshots=[(NOW - 100, 40.0, R5, None, None)],
        api=(NOW - 900, 45.0, R5, None, None),
    )
    assert read(d2).utilization == 40.0  # snapshot newer than api_cache


def test_old_schema_only_usage_snapshots(tmp_path: Path) -> None:
    d = make_pm(tmp_path, schema="old", snapshots=[(NOW - 60, 65.0, R5, 20.0, R7)])
    state = read(d)
    assert state.problem is None and not state.throttling and state.delay_seconds is None
    assert state.deviation == pytest.approx(15.0)
    assert segment_text(state) == "🎯ok"


def test_no_usage_data_yet(tmp_path: Path) -> None:
    d = make_pm(tmp_path, db=False)
    state = read(d)
    assert state.problem == "no usage data yet" and level(state) == "stale"
    assert segment_text(state) == "🎯?" and segment_text(state, "plain") == "pace ?"
    # Our own numbers still give a pace picture.
    state = read(d, usage=UsageInput(NOW - 5, 65.0, R5, None, None))
    assert state.problem is None and state.deviation == pytest.approx(15.0)
    assert read(make_pm(tmp_path / "b")).problem == "no usage data yet"  # tables, no rows
    empty = make_pm(tmp_path / "c", db=False)
    (empty / "usage.db").touch()
    assert read(empty).problem == "no usage data yet"


def test_garbage_values_never_raise(tmp_path: Path) -> None:
    cfg = {"enabled": True, "preload_hours": "x", "weekly_limit_enabled": "no", "strategy": 4}
    d = make_pm(tmp_path, cfg)
    conn = sqlite3.connect(d / "usage.db")
    conn.execute(
        "INSERT INTO usage_snapshots (timestamp, five_hour_util, five_hour_resets_at)"
        " VALUES (?,?,?)",
        (int(NOW), "lots", "not a date"),
    )
    conn.execute(
        "INSERT INTO pacing_decisions (timestamp, should_throttle, delay_seconds) VALUES (?,?,?)",
        (int(NOW), 1, "soon"),
    )
    conn.commit()
    conn.close()
    state = read(d)
    assert state.throttling and state.delay_seconds is None and state.target is None
    assert segment_text(state) == "🎯"


def test_locked_database(tmp_path: Path) -> None:
    d = make_pm(tmp_path, snapshots=[(NOW - 60, 65.0, R5, None, None)], decisions=[(NOW, 1, 45)])
    holder = (
        "import sqlite3, sys\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "c.execute('BEGIN EXCLUSIVE')\n"
        "print('locked', flush=True)\n"
        "sys.stdin.read()\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", holder, str(d / "usage.db")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert proc.stdout.readline().strip() == "locked"
        started = time.monotonic()
        state = read(d)
        assert time.monotonic() - started < 2
        assert state.problem == "unreadable: database is locked"
        assert not state.throttling and level(state) == "stale"
        ours = read(d, usage=UsageInput(NOW - 5, 65.0, R5, None, None))
        assert ours.problem.startswith("unreadable:") and ours.deviation == pytest.approx(15.0)
    finally:
        proc.stdin.close()
        proc.wait(timeout=10)
    assert read(d).problem is None and read(d).throttling  # readable again once released


def test_corrupt_database(tmp_path: Path) -> None:
    d = make_pm(tmp_path, db=False)
    (d / "usage.db").write_bytes(os.urandom(8192))
    state = read(d)
    assert state.problem == "unreadable: not a database" and state.enabled
    # A valid header over garbage pages: SQLite itself rejects it.
    (d / "usage.db").write_bytes(b"SQLite format 3\x00" + os.urandom(8192))
    state = read(d)
    assert state.problem is not None and state.problem.startswith("unreadable: ")
    assert segment_text(state) == "🎯?"


@pytest.mark.parametrize("text", ["{not json", "[1, 2]", "", "\xff"])
def test_corrupt_config(tmp_path: Path, text: str) -> None:
    d = make_pm(tmp_path, text, snapshots=[(NOW - 60, 65.0, R5, None, None)])
    state = read(d)
    assert state.installed and not state.enabled and state.problem == "config unreadable"
    assert segment_text(state) is None


def fingerprint(d: Path) -> dict[str, str]:
    """Every file's hash plus the listing itself (names, sizes, mtimes)."""
    out = {}
    for entry in sorted(os.scandir(d), key=lambda e: e.name):
        st = entry.stat()
        digest = hashlib.sha256(Path(entry.path).read_bytes()).hexdigest()
        out[entry.name] = f"{digest} {st.st_size} {st.st_mtime_ns}"
    out["<listing>"] = "|".join(sorted(os.listdir(d)))
    return out


@pytest.mark.parametrize("journal", ["delete", "wal"])
def test_fifty_reads_change_nothing(tmp_path: Path, journal: str) -> None:
    d = make_pm(tmp_path, journal=journal, snapshots=[(NOW - 60, 65.0, R5, 20.0, R7)],
                api=(NOW - 30, 66.0, R5, 21.0, R7), decisions=[(NOW, 1, 45)])
    before = fingerprint(d)
    assert sorted(before) == ["<listing>", "config.json", "usage.db"]
    for i in range(50):
        state = read(d, now=NOW + i)
        assert state.throttling and state.utilization == 66.0 and state.problem is None
    assert fingerprint(d) == before


def test_reads_do_not_touch_a_live_wal(tmp_path: Path) -> None:
    """Pace-maker mid-session: -wal and -shm exist; reading must not alter either."""
    d = make_pm(
        tmp_path,
        journal="wal",
        snapshots=[(NOW - 60, 65.0, R5, None, None)],
        decisions=[(NOW, 1, 45)],
    )
    writer = sqlite3.connect(d / "usage.db")
    try:
        writer.execute(
            "INSERT INTO pacing_decisions (timestamp, should_throttle, delay_seconds)"
            " VALUES (?,0,0)",
            (int(NOW) + 1,),
        )
        writer.commit()
        before = fingerprint(d)
        assert {"usage.db-wal", "usage.db-shm"} <= set(before)
        for _ in range(50):
            state = read(d)
            assert state.problem is None and state.utilization == 65.0
        assert fingerprint(d) == before
    finally:
        writer.close()


def test_database_changing_under_an_immutable_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A checkpoint rewriting usage.db mid-read (size/mtime moved): retried once, then reported."""
    import statusline.sources.pace_maker_state as pm

    d = make_pm(tmp_path, journal="wal", snapshots=[(NOW - 60, 65.0, R5, None, None)])
    ticks = iter(range(1000))
    monkeypatch.setattr(pm, "_signature", lambda path: (next(ticks), 0))
    assert read(d).problem == "unreadable: database changing"
    calls = iter([(1, 0), (2, 0), (3, 0), (3, 0)])  # first read disturbed, the retry is clean
    monkeypatch.setattr(pm, "_signature", lambda path: next(calls))
    assert read(d).problem is None


def test_state_dict_round_trip_and_tolerance() -> None:
    state = PaceMakerState(
        installed=True, enabled=True, throttling=True, delay_seconds=45, constrained_window="7d",
        target=48.3, utilization=63.5, deviation=15.2, algorithm="adaptive", strategy="gradual",
        tempo=False, problem=None, idle=False, decided_at=1.7e9,
    )
    d = state.to_dict()
    assert set(d) == {
        "installed", "enabled", "throttling", "delay_seconds", "constrained_window", "target",
        "deviation", "algorithm", "strategy", "tempo", "utilization", "problem", "idle", "decided_at",
    }
    assert PaceMakerState.from_dict(json.loads(json.dumps(d))) == state
    assert PaceMakerState.from_dict(None) == PaceMakerState()
    assert PaceMakerState.from_dict({}) == PaceMakerState()
    junk = PaceMakerState.from_dict({
        "installed": "yes", "delay_seconds": "45", "constrained_window": "1d",
        "target": True, "algorithm": 3, "tempo": "on", "problem": 7,
    })
    assert junk == PaceMakerState()


# --- an old decision is not the current state ------------------------------------------------


@pytest.mark.parametrize("age, throttling", [(30, True), (9 * 60, True), (11 * 60, False), (3 * DAY, False)])
def test_a_decision_counts_only_while_recent(tmp_path: Path, age: float, throttling: bool) -> None:
    d = make_pm(tmp_path, snapshots=[(NOW - 60, 65.0, R5, 20.0, R7)], decisions=[(NOW - age, 1, 300)])
    state = read(d)
    assert state.throttling is throttling and state.idle is (not throttling)
    assert state.decided_at == NOW - age
    assert state.delay_seconds == (300 if throttling else None)
    assert (segment_text(state) or "").endswith("300s") is throttling
    assert state.deviation == pytest.approx(15.0)  # the pace itself is still worth showing
    assert PaceMakerState.from_dict(json.loads(json.dumps(state.to_dict()))) == state


def test_three_day_old_throttling_reads_idle_with_its_age_end_to_end(tmp_path: Path, api, home) -> None:
    """The real fetcher reads a real database; the panel and the line's data say idle, 3d ago."""
    from conftest import write_credentials
    from helpers import cli, fetch, line, line_json

    now = time.time()
    reset5 = now + 2.5 * H
    d = make_pm(tmp_path, snapshots=[(now - 60, 65.0, reset5, 20.0, now + 3 * DAY)],
                decisions=[(now - 3 * DAY, 1, 300)])
    write_credentials(home)
    env = {**os.environ, "CLAUDE_PACE_MAKER_DIR": str(d)}
    r = fetch(env=env)
    assert r.returncode == 0, r.stderr
    pm = line_json(env)["pace_maker"]
    assert pm["idle"] is True and pm["throttling"] is False and pm["delay_seconds"] is None
    assert now - pm["decided_at"] == pytest.approx(3 * DAY, abs=5)
    assert "300s" not in line("--format", "plain", "--no-refresh", env=env).stdout
    panel = cli(env={**env, "COLUMNS": "60"}).stdout
    assert "Pace Maker: IDLE" in panel and "Last decision: 3d ago" in panel, panel
    assert "THROTTLING" not in panel and "300s" not in panel and "Next delay" not in panel
