"""Polite polling, learned: against an endpoint that takes one call per window per token, a
line every second with a 5 s TTL makes one or two refused calls, not one per success, and its
data stays about one window old. Real processes (the line spawns the real fetcher) against
real loopback servers, the three manners side by side."""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from pathlib import Path

import pytest
from apiserver import PROFILE_BODY, ApiServer, Reply
from conftest import write_credentials
from helpers import LINE, fetch
from ratelimited import OneCallPerWindow

# Process-level scenarios: the main Python runs them (.ci/run), the others the rest.
pytestmark = pytest.mark.scenario

U = "/api/oauth/usage"
WINDOW = 60.0
DURATION = 120.0


def run_manner(manner: str, base: Path, results: dict) -> None:
    home = base / manner / "home"
    (home / ".claude").mkdir(parents=True)
    write_credentials(home)
    server = ApiServer()
    limiter = OneCallPerWindow(WINDOW, manner)  # type: ignore[arg-type]
    server.set_handler(U, limiter)
    server.set("/api/oauth/profile", Reply(200, PROFILE_BODY))
    env = dict(os.environ, HOME=str(home), CLAUDE_USAGE_CACHE_DIR=str(base / manner / "cache"),
               CLAUDE_USAGE_API_URL=server.url, CLAUDE_USAGE_TTL="5")
    ages = []
    try:
        start = time.time()
        while time.time() - start < DURATION:
            t = time.time()
            r = subprocess.run([LINE, "--format", "json"], env=env, capture_output=True, text=True, timeout=10)
            doc = json.loads(r.stdout)
            if doc["age_seconds"] is not None:
                ages.append(doc["age_seconds"])
            time.sleep(max(0.0, 1.0 - (time.time() - t)))
    finally:
        server.close()
    results[manner] = {"refused": len(limiter.refused), "accepted": len(limiter.accepted),
                       "max_age": max(ages), "calls": server.count(U)}


@pytest.mark.long
def test_one_call_per_window_three_manners(tmp_path):
    results: dict = {}
    threads = [threading.Thread(target=run_manner, args=(m, tmp_path, results))
               for m in ("retry_after", "silent", "restart")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print("\npolling figures:", json.dumps(results, sort_keys=True))
    for manner, got in results.items():
        assert got["refused"] <= 2, (manner, got)
        assert got["accepted"] >= DURATION / (WINDOW * 1.2), (manner, got)
        assert got["max_age"] <= WINDOW * 1.25, (manner, got)


def test_auto_and_code_of_one_login_make_one_stream_of_calls(api, logged_in):
    """Two modes, two cache dirs, one token: the second mode reuses the first one's answer."""
    assert fetch("--mode", "auto").returncode == 0
    assert fetch("--mode", "code").returncode == 0
    assert api.count(U) == 1
