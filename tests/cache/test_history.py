"""The history file: samples kept, deduplicated, bounded, private, and never lost to a race."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from statusline.cache import history
from statusline.commands import history as history_cmd

NOW = 1_800_000_000.0
RESET = NOW + 6000


def r(util, at, key="five_hour", name=None, resets=RESET, source="api"):
    return (key, name, util, resets, at, source)


def test_record_and_load(tmp_path: Path):
    acct = tmp_path / "acct"
    history.record(acct, [r(50.0, NOW - 60), r(41.0, NOW - 60, "seven_day", resets=NOW + 86400),
                          r(88.0, NOW - 60, "scoped", "Opus")], NOW)
    history.record(acct, [r(52.0, NOW)], NOW)
    got = history.load(acct)
    assert [s[1:4] for s in got] == [("five_hour", None, 50.0), ("scoped", "Opus", 88.0),
                                     ("seven_day", None, 41.0), ("five_hour", None, 52.0)] or len(got) == 4
    assert [s[3] for s in history.load(acct, key="five_hour")] == [50.0, 52.0]
    assert [s[3] for s in history.load(acct, key="five_hour", since=NOW - 1)] == [52.0]
    assert [s[3] for s in history.load(acct, key="five_hour", until=NOW - 1)] == [50.0]
    assert history.load(acct, key="scoped", name="Opus")[0][3] == 88.0
    for f in acct.iterdir():
        assert stat.S_IMODE(f.stat().st_mode) == 0o600, f.name
    assert not list(acct.glob("*.tmp"))


def test_identical_consecutive_samples_are_deduplicated_with_a_heartbeat(tmp_path: Path):
    for i in range(10):
        history.record(tmp_path, [r(50.0, NOW + i * 10)], NOW + i * 10)  # the same reading, every 10 s
    assert len(history.load(tmp_path)) == 1
    history.record(tmp_path, [r(50.0, NOW + history.HEARTBEAT_S)], NOW + history.HEARTBEAT_S)
    assert len(history.load(tmp_path)) == 2  # a flat stretch stays visible
    history.record(tmp_path, [r(50.0, NOW - 100)], NOW)  # arrives late: still one flat stretch
    assert len(history.load(tmp_path)) == 2
    history.record(tmp_path, [r(50.0, NOW + 400, resets=RESET + 5 * 3600)], NOW + 400)  # a new window
    assert len(history.load(tmp_path)) == 3


def test_bounded_by_age_and_count(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    history.record(tmp_path, [r(1.0, NOW - 9 * 86400, resets=None)], NOW - 9 * 86400)
    history.record(tmp_path, [r(2.0, NOW - 7 * 86400, resets=None)], NOW)
    assert [s[3] for s in history.load(tmp_path)] == [2.0]
    monkeypatch.setattr(history, "MAX_SAMPLES", 50)
    history.record(tmp_path, [r(float(i), NOW - 1000 + i) for i in range(100)], NOW)
    got = history.load(tmp_path)
    assert len(got) == 50 and got[-1][3] == 99.0


def test_bad_readings_are_skipped_and_a_corrupt_file_is_set_aside(tmp_path: Path):
    history.record(tmp_path, [("five_hour", None, "x", None, NOW, "api"), ("five_hour",), None,
                              ("five_hour", None, float("nan"), None, NOW, "api"), r(5.0, NOW)], NOW)
    assert [s[3] for s in history.load(tmp_path)] == [5.0]
    (tmp_path / history.HISTORY).write_bytes(b"garbage")
    assert history.load(tmp_path) == []
    assert (tmp_path / (history.HISTORY + ".corrupt")).exists()
    history.record(tmp_path, [r(6.0, NOW + 1)], NOW + 1)
    assert [s[3] for s in history.load(tmp_path)] == [6.0]


def test_hook_notes_are_folded_in(tmp_path: Path):
    history.note(tmp_path, [r(10.0, NOW)], NOW)
    history.note(tmp_path, [r(10.0, NOW + 1)], NOW + 1)  # deduplicated when folded
    history.note(tmp_path, [r(11.0, NOW + 2)], NOW + 2)
    assert [s[3] for s in history.load(tmp_path)] == [10.0, 11.0]  # readers see pending notes
    assert not (tmp_path / history.HISTORY).exists()
    history.record(tmp_path, [r(12.0, NOW + 3)], NOW + 3)
    assert not (tmp_path / history.PENDING).exists()
    assert [s[3] for s in history.load(tmp_path)] == [10.0, 11.0, 12.0]


def test_samples_noted_before_the_account_was_known_move_to_its_folder(tmp_path: Path):
    """``adopt``: the config dir's own history (kept while the account was unknown) moves into the
    account's folder, recorded and pending alike; samples from before ``since`` are another's."""
    root, own = tmp_path / "acct", tmp_path / "acct" / "accounts" / "u1"
    history.record(root, [r(5.0, NOW - 600)], NOW - 600)  # before this account logged in here
    history.record(root, [r(20.0, NOW - 60)], NOW - 60)
    history.note(root, [r(21.0, NOW - 30)], NOW - 30)
    history.record(own, [r(22.0, NOW)], NOW)
    history.adopt(root, own, NOW - 300, NOW)
    assert [s[3] for s in history.load(own)] == [20.0, 21.0, 22.0]
    assert not (root / history.HISTORY).exists() and not (root / history.PENDING).exists()
    history.adopt(root, own, None, NOW)  # nothing left to move: a no-op
    history.adopt(own, own, None, NOW)
    assert [s[3] for s in history.load(own)] == [20.0, 21.0, 22.0]


WRITER = """
import sys, time
from statusline.cache import history
acct, n, base, how = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
for i in range(40):
    t = base + i
    reading = ("scoped", "w%d" % n, float(i), None, t, "api")
    (history.note if how == "mixed" and i % 2 else history.record)(acct, [reading], t)
"""


def run_writers(acct: Path, how: str) -> list[tuple]:
    base = __import__("time").time() - 100
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(acct), str(n), str(base), how])
             for n in range(8)]
    assert all(p.wait(60) == 0 for p in procs)
    history.record(acct, [], base + 100)
    return history.load(acct)


def test_concurrent_writers_lose_nothing(tmp_path: Path):
    """Eight real processes record at once: every sample of every one is kept."""
    got = run_writers(tmp_path, "record")
    for n in range(8):
        assert [s[3] for s in got if s[2] == "w%d" % n] == [float(i) for i in range(40)], n


def test_hook_notes_never_wait_long_and_never_break_the_file(tmp_path: Path):
    """The hook's notes give up rather than wait (Claude Code is waiting): a busy moment may
    drop one of them, but every recorded sample stays and the file stays whole."""
    got = run_writers(tmp_path, "mixed")
    for n in range(8):
        mine = [s[3] for s in got if s[2] == "w%d" % n]
        assert [float(i) for i in range(0, 40, 2)] == [u for u in mine if u % 2 == 0], n
        assert set(mine) <= {float(i) for i in range(40)}


def test_history_command_csv_round_trips_and_json(tmp_path: Path, cache_dir: Path):
    from helpers import account_dir, cli

    acct = account_dir()
    now = __import__("time").time()
    readings = [r(10.0 + i * 1.25, now - 7200 + i * 600, resets=now + 3000) for i in range(12)]
    readings += [r(41.5, now - 100, "seven_day", resets=now + 86400), r(88.25, now - 50, "scoped", "Opus")]
    history.record(acct, readings, now)
    saved = history.load(acct)
    out = cli("history", "--csv")
    assert out.returncode == 0, out.stderr
    back = history_cmd.from_csv(out.stdout)
    assert len(back) == len(saved)
    for a, b in zip(back, saved, strict=True):
        assert a[1:4] == b[1:4] and a[0] == pytest.approx(b[0], abs=1e-5)
        assert (a[4] is None and b[4] is None) or a[4] == pytest.approx(b[4], abs=1e-5)
    doc = json.loads(cli("history", "--json", "--window", "5h", "--since", "62m").stdout)
    assert [d["utilization"] for d in doc] == [s[3] for s in saved if s[1] == "five_hour" and s[0] >= now - 3600]
    assert all(d["window"] == "five_hour" and d["time"].endswith("+00:00") for d in doc)
    assert json.loads(cli("history", "--json", "--window", "opus").stdout)[0]["name"] == "Opus"
    table = cli("history", "--window", "7d").stdout
    assert "41.5%" in table and "7d" in table and "Opus" not in table
    assert cli("history", "--since", "yesterday-ish").returncode == 2
    iso = __import__("datetime").datetime.fromtimestamp(now - 1000).isoformat()
    assert len(json.loads(cli("history", "--json", "--since", iso).stdout)) == 2 + 1


@pytest.mark.parametrize("name", ["'=cmd", "'", "''", "'+1", "=1", "'plain", "-x", "@'", "a'"])
def test_history_csv_round_trips_a_name_that_starts_with_a_quote(name: str):
    """A name that itself starts with ``'`` (or ``'=``) comes back as it is, and no cell starts
    a formula: ``csv_cell`` quotes a leading ``'`` as it quotes ``=``, ``csv_value`` drops one."""
    text = history_cmd.to_csv([(1_700_000_000.0, "scoped", name, 92.0, None)])
    cell = text.splitlines()[1].split(",")[2]
    assert cell[:1] not in ("=", "+", "-", "@") and (cell[:1] == "'") == (name[:1] in "=+-@'"), text
    assert [s[2] for s in history_cmd.from_csv(text)] == [name]


def test_history_is_not_read_by_the_hot_path():
    import statusline.commands.line as line_mod

    assert "history" not in Path(line_mod.__file__).read_text()
    assert os.path.basename(history.__file__) == "history.py"


def test_from_windows_takes_line_view_windows_or_full_readings():
    assert history.from_windows([("five_hour", None, 50, NOW + 1), ("x", None, "bad", None)], NOW, "api") == [
        ("five_hour", None, 50.0, NOW + 1, NOW, "api")]
    full = ("scoped", "Opus", 88.0, NOW + 9, NOW - 5, "claude-json")
    assert history.from_windows([full], NOW, "api") == [full]
