"""Notifications: once per window per threshold, once more on reset, whatever the number of
processes; a fake ``notify-send`` on PATH records what would have been shown."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import account_dir, wait_for

from statusline.render import notify

# Process-level scenarios: the main Python runs them (.ci/run), the others the rest.
pytestmark = pytest.mark.scenario

NOW = 1_800_000_000.0
RESET = NOW + 6000


def reading(util, resets=RESET, key="five_hour", name=None, at=NOW):
    return (key, name, util, resets, at, "api")


def test_thresholds():
    assert notify.thresholds({}) == []
    assert notify.thresholds({"CLAUDE_USAGE_NOTIFY": ""}) == []
    assert notify.thresholds({"CLAUDE_USAGE_NOTIFY": "95, 80,80%,x,-1,0"}) == [80.0, 95.0]


def test_decide_once_per_threshold_and_once_on_reset():
    levels = [80.0, 95.0]
    state, msgs = notify.decide({}, [reading(50.0)], levels, NOW)
    assert msgs == []
    state, msgs = notify.decide(state, [reading(81.0)], levels, NOW)
    assert len(msgs) == 1 and msgs[0].startswith("5-hour limit at 81%")
    state, msgs = notify.decide(state, [reading(85.0), reading(90.0)], levels, NOW)
    assert msgs == []
    state, msgs = notify.decide(state, [reading(96.0)], levels, NOW)
    assert len(msgs) == 1 and msgs[0].startswith("5-hour limit at 96%")
    state, msgs = notify.decide(state, [reading(99.0, resets=RESET - 5 * 3600)], levels, NOW - 6 * 3600)
    assert msgs == []  # a lagging source replaying an older window
    later = NOW + 6100
    state, msgs = notify.decide(state, [reading(2.0, resets=RESET + 5 * 3600, at=later)], levels, later)
    assert msgs == ["5-hour limit reset"]
    state, msgs = notify.decide(state, [reading(3.0, resets=RESET + 5 * 3600, at=later)], levels, later + 100)
    assert msgs == []


def test_reset_is_announced_when_the_reset_time_passes_even_without_a_new_window():
    state, msgs = notify.decide({}, [reading(96.0)], [80.0, 95.0], NOW)
    assert len(msgs) == 1
    later = RESET + 600  # idle: only old-window readings (reset in the past) or none at all
    state, msgs = notify.decide(state, [reading(96.0, at=later)], [80.0, 95.0], later)
    assert msgs == ["5-hour limit reset"]
    state, msgs = notify.decide(state, [reading(96.0, at=later)], [80.0, 95.0], later + 60)
    assert msgs == []
    state, msgs = notify.decide(state, [reading(4.0, resets=RESET + 5 * 3600, at=later)], [80.0, 95.0], later + 60)
    assert msgs == []  # the new window is seen later: no second "reset"


def test_decide_jumps_say_the_highest_and_windows_are_separate():
    state, msgs = notify.decide({}, [reading(97.0), reading(82.0, NOW + 86400, "scoped", "Opus")],
                                [80.0, 95.0], NOW)
    assert [m.split(" (")[0] for m in msgs] == ["5-hour limit at 97%", "Opus weekly limit at 82%"]
    _, msgs = notify.decide(state, [reading(98.0)], [80.0, 95.0], NOW)
    assert msgs == []
    # A window that never reached the top threshold resets silently.
    _, msgs = notify.decide(state, [reading(1.0, NOW + 2 * 86400, "scoped", "Opus")], [80.0, 95.0], NOW)
    assert msgs == []


def test_old_and_finished_readings_announce_nothing():
    _, msgs = notify.decide({}, [reading(99.0, at=NOW - 2 * 3600)], [80.0], NOW)
    assert msgs == []
    _, msgs = notify.decide({}, [reading(99.0, resets=NOW - 600)], [80.0], NOW)
    assert msgs == []


def test_backends(tmp_path: Path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    env = {"PATH": str(bin_dir)}
    assert notify.command("hi", env, "linux") is None
    for prog in ("notify-send", "osascript", "tmux"):
        p = bin_dir / prog
        p.write_text("#!/bin/sh\n")
        p.chmod(0o755)
    assert notify.command("hi", env, "linux")[1:] == ["--app-name=claude-usage", "--", "Claude usage", "hi"]
    assert notify.command('say "hi" \\', env, "darwin")[1:] == [
        "-e", 'display notification "say \\"hi\\" \\\\" with title "Claude usage"']
    assert notify.command("hi", env, "freebsd") is None
    assert notify.command("hi", dict(env, TMUX="/tmp/x,1,0"), "freebsd")[1:] == [
        "display-message", "--", "Claude usage: hi"]
    (bin_dir / "notify-send").unlink()
    assert notify.command("hi", dict(env, TMUX="/tmp/x,1,0"), "linux")[1] == "display-message"


FAKE = """#!/bin/sh
printf '%s\\n' "$*" >> "{log}"
"""

CALLER = """
import sys, time
from statusline.render import notify
from statusline.cache import history
acct, util, resets = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
import os
notify.maybe_notify(acct, [("five_hour", None, util, resets, time.time(), "api")], time.time(), os.environ)
"""


@pytest.fixture
def fake_notify_send(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    bin_dir = tmp_path / "fakebin"
    bin_dir.mkdir()
    log = tmp_path / "notifications.log"
    script = bin_dir / "notify-send"
    script.write_text(FAKE.format(log=log))
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return log


def shown(log: Path) -> list[str]:
    return log.read_text().splitlines() if log.exists() else []


def crowd(acct: Path, util: float, resets: float, n: int = 24) -> None:
    procs = [subprocess.Popen([sys.executable, "-c", CALLER, str(acct), str(util), str(resets)])
             for _ in range(n)]
    assert all(p.wait(60) == 0 for p in procs)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="notify-send is the Linux backend")
def test_many_processes_give_exactly_one_notification_each(fake_notify_send: Path, monkeypatch):
    monkeypatch.setenv("CLAUDE_USAGE_NOTIFY", "80,95")
    acct = account_dir()
    resets = time.time() + 6000
    for util in (50.0, 79.0, 81.0, 83.0, 90.0, 96.0, 99.0):
        crowd(acct, util, resets)
    wait_for(lambda: len(shown(fake_notify_send)) >= 2)
    time.sleep(0.5)  # a straggler would show up by now
    got = shown(fake_notify_send)
    assert len(got) == 2, got
    assert got[0].startswith("--app-name=claude-usage -- Claude usage 5-hour limit at 81%")
    assert got[1].startswith("--app-name=claude-usage -- Claude usage 5-hour limit at 96%")
    crowd(acct, 1.0, resets + 5 * 3600)  # the window reset
    wait_for(lambda: len(shown(fake_notify_send)) >= 3)
    time.sleep(0.5)
    assert shown(fake_notify_send)[2:] == ["--app-name=claude-usage -- Claude usage 5-hour limit reset"]


def test_nothing_without_the_setting(fake_notify_send: Path):
    acct = account_dir()
    crowd(acct, 99.0, time.time() + 6000, n=4)
    time.sleep(0.5)
    assert shown(fake_notify_send) == []
    assert not list(acct.parent.glob("notify-*"))  # not even a state file


def test_state_is_shared_by_both_modes_of_one_account(fake_notify_send: Path, monkeypatch):
    monkeypatch.setenv("CLAUDE_USAGE_NOTIFY", "80")
    resets = time.time() + 6000
    env = dict(os.environ)
    for mode in ("auto", "code"):
        notify.maybe_notify(account_dir(mode), [reading(85.0, resets, at=time.time())], time.time(), env)
    wait_for(lambda: shown(fake_notify_send))
    time.sleep(0.3)
    assert len(shown(fake_notify_send)) == 1
