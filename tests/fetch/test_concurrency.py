"""Many prompts and panes at once: one fetcher, one request."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from apiserver import Reply, usage_body
from helpers import LINE, age_cache, fetch, line_json, wait_for

# Process-level scenarios: the main Python runs them (.ci/run), the others the rest.
pytestmark = pytest.mark.scenario

U = "/api/oauth/usage"


def test_32_parallel_lines_on_a_stale_cache_make_one_request(api, logged_in):
    fetch()
    assert api.count(U) == 1
    age_cache(45)  # stale
    api.set(U, Reply(200, usage_body(five=91.0), delay=0.5))
    procs = [subprocess.Popen([LINE, "--format", "plain"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(32)]
    outs = [p.communicate(timeout=30) for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert all(o.strip() and not e for o, e in outs), outs[:3]
    wait_for(lambda: line_json()["five_hour"]["utilization"] == 91.0)
    # later lines on a now-fresh cache start nothing
    for _ in range(5):
        subprocess.run([LINE], capture_output=True)
    assert api.count(U) == 2, "exactly one usage request for the whole burst"


def test_parallel_fetchers_take_turns(api, logged_in):
    api.set(U, Reply(200, usage_body(), delay=0.3))
    procs = [subprocess.Popen([sys.executable, "-m", "statusline.fetch.fetcher"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, env=dict(os.environ)) for _ in range(8)]
    for p in procs:
        p.communicate(timeout=30)
    assert api.count(U) == 1


def test_a_hanging_api_with_only_the_hooks_harvest_starts_one_fetcher(api, logged_in, tmp_path):
    """#27.4: the cache holds only what Claude Code's input gave (no view yet) and the API hangs.
    That view carried no credential signature, so every line took the "new login" path with no
    debounce: 12 line calls started 12 fetchers, each importing requests to find the lock taken."""
    import json
    import threading
    import time

    from helpers import fetcher_pids, line

    gate = threading.Event()  # the API answers nothing until the test is done
    api.set("/api/oauth/profile", Reply(200, {}, gate=gate))
    api.set(U, Reply(200, usage_body(), gate=gate))
    now = time.time()
    hook_input = json.dumps({"session_id": "s", "rate_limits": {
        "five_hour": {"used_percentage": 30, "resets_at": int(now + 6000)},
        "seven_day": {"used_percentage": 40, "resets_at": int(now + 250000)}}})
    assert "5h 30%" in line("--claude-code", "--no-refresh", input=hook_input).stdout
    starts = []
    try:
        for _ in range(12):
            r = line("--format", "plain")
            assert r.returncode == 0 and r.stdout.startswith("5h 30%"), r
            starts.append(len(fetcher_pids()))
            time.sleep(0.05)
        wait_for(lambda: api.requests, timeout=20)  # the one fetcher reached the API and hangs there
        time.sleep(0.5)
        assert len(api.requests) == 1, [q.path for q in api.requests]
        assert max(starts) <= 1 and len(fetcher_pids()) == 1, starts
    finally:
        gate.set()
