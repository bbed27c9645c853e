"""History, forecast and notifications end to end: a loopback API whose 5-hour utilization
climbs while the real fetcher runs, Claude Code's hook as real processes, a fake notify-send.

The forecast needs two samples at least a minute apart; these tests cannot wait minutes, so
they set ``CLAUDE_USAGE_FORECAST_MIN_SPAN`` (the one seam) to a few seconds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

import pytest
from apiserver import Reply, usage_body
from helpers import LINE, account_dir, cli, fetch, line, line_json, wait_for

from statusline.cache import cache_view, history

# Process-level scenarios: the main Python runs them (.ci/run), the others the rest.
pytestmark = pytest.mark.scenario

U = "/api/oauth/usage"
STEP_S = 2.0  # the server's utilization rises one point every STEP_S seconds
SLOPE = 3600.0 / STEP_S  # 1800 points per hour


class Climb:
    """Serves 50 % at t0, one more point every STEP_S seconds; ``reset()`` starts a new window."""

    def __init__(self, start: float = 50.0, step: float = 1.0):
        self.t0 = time.time()
        self.start, self.step = start, step
        self.resets_in = 6000.0
        self.base = self.t0  # resets_at = base + resets_in, fixed while the window lasts

    def util(self, at: float | None = None) -> float:
        at = time.time() if at is None else at
        return self.start + self.step * int((at - self.t0) / STEP_S)

    def reply(self, req) -> Reply:
        return Reply(200, usage_body(five=self.util(req.at), seven=41.0, now=self.base,
                                     five_reset_in=self.resets_in))

    def reset(self, start: float) -> None:
        self.t0, self.start, self.step = time.time(), start, 0.0
        self.resets_in += 5 * 3600


@pytest.fixture
def fast(monkeypatch):
    monkeypatch.setenv("CLAUDE_USAGE_TTL", "5")
    monkeypatch.setenv("CLAUDE_USAGE_FORECAST_MIN_SPAN", "5")


def run_fetches(seconds: float, every: float = 1.5, at_least: int = 2) -> None:
    """Forced fetches ``every`` seconds until ``seconds`` have passed since the first one
    returned and ``at_least`` were made: the readings span the time asked for however slowly a
    loaded machine starts each fetch."""
    count, end = 0, None
    while True:
        r = fetch("--force")
        assert r.returncode == 0, r.stdout + r.stderr
        count += 1
        end = end or time.time() + seconds
        if time.time() >= end and count >= at_least:
            return
        time.sleep(every)


def iso_epoch(s: str) -> float:
    return datetime.fromisoformat(s).timestamp()


@pytest.mark.long
def test_climb_flat_and_reset(api, logged_in, fast):
    climb = Climb()
    api.set_handler(U, climb.reply)
    run_fetches(16, at_least=6)
    doc = line_json()
    F = doc["forecast"]["five_hour"]
    util = doc["five_hour"]["utilization"]
    assert util > 55, doc
    assert F["samples"] >= 5, F
    assert F["rate_per_hour"] == pytest.approx(SLOPE, rel=0.2), F
    assert F["hits_limit_before_reset"] is True
    true_eta = climb.t0 + (100 - climb.start) * STEP_S
    assert iso_epoch(F["eta"]) == pytest.approx(true_eta, abs=15), (F["eta"], true_eta)
    assert doc["forecast"]["seven_day"]["rate_per_hour"] == 0.0  # flat beside it
    assert doc["forecast"]["seven_day"]["hits_limit_before_reset"] is False

    # The line warns with the clock time it runs out; --show rate adds the rate.
    text = line("--no-refresh", "--format", "plain").stdout.strip()
    hm = time.strftime("%H:%M", time.localtime(iso_epoch(F["eta"])))
    assert text.startswith(f"5h {int(util)}% \u23f01h") and f" \u26a0{hm} \u00b7 7d 41%" in text, text
    assert "%/h" in line("--no-refresh", "--format", "plain", "--show", "rate").stdout
    colored = line("--no-refresh", "--format", "ansi").stdout
    assert f"\x1b[33m \u26a0{hm}" in colored or f"33m \u26a0{hm}" in colored, repr(colored)
    # The panel: sparkline, rate, ETA.
    panel = cli(env=dict(os.environ, COLUMNS="60")).stdout
    # The panel works the forecast out again from the history at its own moment: the same
    # clock time, give or take the minute it may have crossed since.
    eta = iso_epoch(F["eta"])
    near = {time.strftime("%H:%M", time.localtime(eta + d)) for d in (-60, 0, 60)}
    assert "Rate: +" in panel and any(f"100% at {m} \u26a0" in panel for m in near), panel
    rows = panel.split("\n")
    spark = rows[next(i for i, r in enumerate(rows) if "5-Hour:" in r) + 1]
    assert set(spark) & set("\u2581\u2582\u2583\u2584\u2585\u2586\u2587\u2588"), panel

    # A reset: a new window's history starts; its forecast knows nothing of the climb.
    climb.reset(3.0)
    run_fetches(7)
    doc = line_json()
    F = doc["forecast"]["five_hour"]
    assert doc["five_hour"]["utilization"] == 3.0
    assert F["hits_limit_before_reset"] is False and F["rate_per_hour"] == 0.0, F
    new_resets = iso_epoch(doc["five_hour"]["resets_at"])
    hist = cache_view.history_dir(str(account_dir()))
    mine = [s for s in history.load(hist, key="five_hour") if abs(s[4] - new_resets) <= 120]
    assert len(mine) == 1 and mine[0][3] == 3.0  # flat: one sample (repeats dropped)
    assert len(history.load(hist, key="five_hour")) > len(mine)
    assert "\u26a0" not in line("--no-refresh", "--format", "plain").stdout


def test_flat_window(api, logged_in, fast):
    api.set(U, Reply(200, usage_body(five=40.0, seven=41.0)))
    run_fetches(7, every=1.0)
    F = line_json()["forecast"]["five_hour"]
    assert F["rate_per_hour"] == 0.0 and F["hits_limit_before_reset"] is False and F["eta"] is None
    assert "\u26a0" not in line("--no-refresh", "--format", "plain").stdout


# --- notifications ------------------------------------------------------------------------------

FAKE = """#!/bin/sh
printf '%s\\n' "$*" >> "{log}"
"""


def rate_limits_input(five: float, resets: float) -> str:
    return json.dumps({"model": {"display_name": "Opus"}, "version": "2.1.90",
                       "rate_limits": {"five_hour": {"used_percentage": five, "resets_at": int(resets)},
                                       "seven_day": {"used_percentage": 41.0, "resets_at": int(resets + 86400)}}})


def shown(log: Path) -> list[str]:
    return log.read_text().splitlines() if log.exists() else []


@pytest.fixture
def fake_notify(tmp_path: Path, monkeypatch) -> Path:
    bin_dir = tmp_path / "fakebin"
    bin_dir.mkdir()
    log = tmp_path / "notifications.log"
    (bin_dir / "notify-send").write_text(FAKE.format(log=log))
    (bin_dir / "notify-send").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return log


def hooks_and_fetches(five: float, resets: float, n_hooks: int = 8, n_fetches: int = 2) -> None:
    """``n_hooks`` Claude Code status lines and ``n_fetches`` fetchers, all at once."""
    procs = [subprocess.Popen([LINE, "--claude-code", "--no-refresh"], stdin=subprocess.PIPE,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for _ in range(n_hooks)]
    procs += [subprocess.Popen([sys.executable, "-m", "statusline.fetch.fetcher", "--force"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for _ in range(n_fetches)]
    data = rate_limits_input(five, resets).encode()

    def feed(p):
        if p.stdin:
            p.stdin.write(data)
            p.stdin.close()

    threads = [threading.Thread(target=feed, args=(p,)) for p in procs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for p in procs:
        assert p.wait(60) == 0, p.stderr.read() if p.stderr else ""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="notify-send is the Linux backend")
def test_a_climb_notifies_twice_and_a_reset_once(api, logged_in, fake_notify, monkeypatch):
    monkeypatch.setenv("CLAUDE_USAGE_NOTIFY", "80,95")
    resets = time.time() + 6000
    state = {"five": 60.0, "resets": resets}
    api.set_handler(U, lambda req: Reply(200, usage_body(five=state["five"], seven=41.0, now=state["resets"] - 6000)))
    for five in (60.0, 75.0, 81.0, 84.0, 88.0, 95.5, 97.0, 99.0):
        state["five"] = five
        hooks_and_fetches(five, resets)
    wait_for(lambda: len(shown(fake_notify)) >= 2)
    time.sleep(0.5)  # a late duplicate would have arrived by now
    got = shown(fake_notify)
    assert len(got) == 2, got
    assert "5-hour limit at 81%" in got[0] and "5-hour limit at 95%" in got[1], got
    # The window resets: one more notification, however many processes see it.
    resets += 5 * 3600
    state.update(five=2.0, resets=resets)
    for _ in range(2):
        hooks_and_fetches(2.0, resets)
    wait_for(lambda: len(shown(fake_notify)) >= 3)
    time.sleep(0.5)
    got = shown(fake_notify)
    assert len(got) == 3 and got[2].endswith("5-hour limit reset"), got
    print("\n".join(got))


def test_no_notification_without_the_setting(api, logged_in, fake_notify):
    resets = time.time() + 6000
    api.set(U, Reply(200, usage_body(five=97.0)))
    hooks_and_fetches(97.0, resets, n_hooks=4, n_fetches=1)
    time.sleep(0.5)
    assert shown(fake_notify) == []


def test_the_hook_records_history_cheaply(logged_in):
    resets = time.time() + 6000
    for five in (10.0, 11.0, 11.0, 12.0):
        r = line("--claude-code", "--no-refresh", input=rate_limits_input(five, resets))
        assert r.returncode == 0 and "5h" in r.stdout
    acct = account_dir()
    assert (acct / history.PENDING).exists() and not (acct / history.HISTORY).exists()
    assert [s[3] for s in history.load(acct, key="five_hour")] == [10.0, 11.0, 12.0]
    # The hook imported nothing heavy for it.
    code = ("import sys; from statusline.commands import hook; "
            "print(','.join(m for m in ('json', 'datetime', 'dataclasses') if m in sys.modules))")
    probe = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "datetime" not in probe.stdout and "dataclasses" not in probe.stdout, probe.stdout
