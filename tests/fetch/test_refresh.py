"""`claude-usage refresh` while another fetch runs: it waits (bounded) and reports that fetch's result.

Real processes throughout: a background fetcher against a slow loopback server, the real
`claude-usage refresh`, and a plain process holding the real lock file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from apiserver import Reply, usage_body
from conftest import write_credentials
from helpers import CLI, account_dir, cli, fetch, wait_for

from statusline.cache import store

# Process-level scenarios: the main Python runs them (.ci/run), the others the rest.
pytestmark = pytest.mark.scenario

U = "/api/oauth/usage"
# Holds the real lock until the test creates the release file (argv[3]); 60 s at most.
HOLD = ("import os, sys, time; from filelock import FileLock; lock = FileLock(sys.argv[1]); lock.acquire(); "
        "open(sys.argv[2], 'w').write('held'); end = time.monotonic() + 60\n"
        "while not os.path.exists(sys.argv[3]) and time.monotonic() < end: time.sleep(0.02)")


def background_fetch(env: dict[str, str]) -> subprocess.Popen[str]:
    """The fetcher as the line starts it, not forced; returns once it is asking the API."""
    proc = subprocess.Popen([sys.executable, "-m", "statusline.fetch.fetcher"], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wait_for(lambda: (account_dir() / store.OWNER).exists(), timeout=10)
    return proc


def snapshot() -> dict:
    return json.loads((account_dir() / store.SNAPSHOT).read_text())


def refresh_while_held(env: dict[str, str], gate: threading.Event) -> tuple[int, str, str]:
    """`claude-usage refresh` started while the background fetch waits on the server's answer.

    The server holds that answer (``gate``) until refresh has said it is waiting, so refresh
    always finds the fetch running, however slowly a loaded machine starts either process.
    """
    proc = subprocess.Popen([CLI, "refresh"], env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        first = proc.stderr.readline()  # "refresh: a background fetch (pid N) is running; waiting ..."
    finally:
        gate.set()
    out, err = proc.communicate(timeout=60)
    return proc.returncode, out, first + err


def test_refresh_waits_for_the_running_fetch_and_reports_its_success(api, home):
    write_credentials(home)
    gate = threading.Event()
    api.set(U, Reply(200, usage_body(five=55.0), gate=gate))
    env = {**os.environ, "CLAUDE_USAGE_HTTP_TIMEOUT": "30"}
    bg = background_fetch(env)
    wait_for(lambda: api.count(U) == 1, timeout=30)
    code, out, err = refresh_while_held(env, gate)
    assert code == 0, out + err
    assert "waiting for it" in err and f"pid {bg.pid}" in err
    assert out.startswith("Usage updated (by the background fetch"), out
    assert api.count(U) == 1, "the result of the running fetch is reported, not asked again"
    assert snapshot()["usage"]["five_hour"]["utilization"] == 55.0
    assert bg.wait(30) == 0


def test_refresh_reports_the_running_fetchs_failure(api, home):
    write_credentials(home)
    gate = threading.Event()
    api.set(U, Reply(401, {"type": "error", "error": {"type": "authentication_error",
                                                      "message": "Invalid bearer token"}}, gate=gate))
    env = {**os.environ, "CLAUDE_USAGE_HTTP_TIMEOUT": "30"}
    bg = background_fetch(env)
    code, out, err = refresh_while_held(env, gate)
    assert code == 1, out + err
    assert "waiting for it" in err
    assert "Refresh failed: the API rejected the credentials" in err and "refresh skipped" not in err
    assert api.count(U) == 1, "the running fetch's failure is reported, not asked again"
    bg.wait(30)


def test_refresh_fetches_itself_when_the_holder_did_nothing_and_gives_up_after_its_bound(warm, tmp_path):
    lock, held, release = str(account_dir() / store.LOCK), tmp_path / "held", tmp_path / "release"
    # The lock is held until refresh has said it waits: refresh then takes the free lock, finds
    # that the holder asked nothing, and fetches itself.
    holder = subprocess.Popen([sys.executable, "-c", HOLD, lock, str(held), str(release)])
    try:
        wait_for(held.exists, timeout=30)
        warm.set(U, Reply(200, usage_body(five=93.0)))
        proc = subprocess.Popen([CLI, "refresh"], text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        first = proc.stderr.readline()
        release.touch()
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, out + first + err
        assert "waiting for it" in first and out.startswith("Usage updated"), out
        assert snapshot()["usage"]["five_hour"]["utilization"] == 93.0
    finally:
        release.touch()
        holder.wait(30)

    held.unlink()
    release.unlink()
    holder = subprocess.Popen([sys.executable, "-c", HOLD, lock, str(held), str(release)])
    try:
        wait_for(held.exists, timeout=30)
        # Held until after refresh returns: returning at all, with this message, is giving up at the bound.
        r = cli("refresh", env={**os.environ, "CLAUDE_USAGE_REFRESH_WAIT": "1"}, timeout=50)
        assert r.returncode == 1 and "still running after 1 s" in r.stderr, r.stderr
        assert "Traceback" not in r.stderr
    finally:
        release.touch()
        holder.wait(30)


def test_a_free_lock_still_fetches_at_once(warm):
    r = cli("refresh")
    assert r.returncode == 0 and r.stdout.startswith("Usage updated.") and "waiting" not in r.stderr
    assert Path(account_dir() / store.LOCK).exists()
    assert fetch("--force").returncode == 0


@pytest.mark.parametrize("age,state", [(2.0, "fresh"), (40.0, "stale"), (None, "stale")])
def test_refresh_calls_data_fresh_only_when_it_is(age, state):
    """A fetch that made no call of its own (another mode of this login had just fetched, or the
    cache already held the numbers) reports on what it shows: ``fresh`` only within the TTL;
    otherwise ``stale`` with its age, and never "Nothing to fetch" (issue 16, item 6)."""
    from datetime import datetime, timedelta, timezone

    from statusline.commands.cli import said
    from statusline.core.model import Snapshot
    from statusline.fetch import fetcher

    now = datetime(2026, 12, 6, 12, 0, tzinfo=timezone.utc)
    snap = Snapshot(mode="code", usage_fetched_at=None if age is None else now - timedelta(seconds=age))
    got = fetcher._aged(snap, now, 30.0, "usage fetched by another mode of this login")
    assert got.state == state
    sentence = said(got.state, got.message)
    if state == "fresh":
        assert sentence == "Nothing to fetch: usage fetched by another mode of this login."
    else:
        assert "Nothing to fetch" not in sentence and ("40s old" in sentence or "no usage yet" in sentence.lower())
