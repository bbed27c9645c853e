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
