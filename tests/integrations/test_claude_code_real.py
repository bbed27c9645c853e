"""The real Claude Code (npm, pinned in .ci/claude-code-version) shows our statusLine.

It starts offline: a fake API key, ANTHROPIC_BASE_URL on a dead loopback port, onboarding
marked done and the project trusted in ~/.claude.json. It runs in a private tmux server and
we read its screen. Skips with a reason when .ci/run could not install it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest
from helpers import LINE, fetch

ROOT = Path(__file__).resolve().parents[2]
CLAUDE = ROOT / ".ci" / "node" / "node_modules" / ".bin" / "claude"
FAKE_KEY = "sk-ant-api03-" + "x" * 40 + "-TESTKEY0"

pytestmark = [
    pytest.mark.realprog,
    pytest.mark.skipif(not CLAUDE.exists(), reason="Claude Code not installed (.ci/run installs it with npm)"),
    pytest.mark.skipif(not shutil.which("tmux"), reason="tmux not installed"),
    pytest.mark.skipif(not shutil.which("node"), reason="node not installed"),
]


def test_claude_code_shows_our_segment(api, logged_in, home, tmp_path):
    fetch()  # a warm cache from the loopback API: 5h 78%
    proj = tmp_path / "proj"
    proj.mkdir()
    (home / ".claude.json").write_text(json.dumps({
        "hasCompletedOnboarding": True, "lastOnboardingVersion": "2.1.90", "numStartups": 3,
        "customApiKeyResponses": {"approved": [FAKE_KEY[-20:]], "rejected": []},
        "projects": {str(proj): {"hasTrustDialogAccepted": True, "hasCompletedProjectOnboarding": True}},
    }))
    (home / ".claude" / "settings.json").write_text(json.dumps({"statusLine": {
        "type": "command", "command": f"{LINE} --claude-code --glyphs plain", "padding": 0, "refreshInterval": 2}}))
    env = {"HOME": str(home), "PATH": os.environ["PATH"], "TERM": "xterm-256color",
           "CLAUDE_USAGE_CACHE_DIR": os.environ["CLAUDE_USAGE_CACHE_DIR"],
           "CLAUDE_USAGE_API_URL": os.environ["CLAUDE_USAGE_API_URL"],
           "CLAUDE_USAGE_STATUS_URL": os.environ["CLAUDE_USAGE_STATUS_URL"],
           "ANTHROPIC_API_KEY": FAKE_KEY, "ANTHROPIC_BASE_URL": "http://127.0.0.1:9",
           "DISABLE_AUTOUPDATER": "1", "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1"}
    sock = f"cc-{uuid.uuid4().hex[:8]}"
    cmd = " ".join(f"{k}={subprocess.list2cmdline([v])}" for k, v in env.items())
    tmux = ["tmux", "-L", sock, "-f", "/dev/null"]
    subprocess.run(tmux + ["new-session", "-d", "-x", "120", "-y", "30", "-c", str(proj),
                           f"env -i {cmd} {CLAUDE}"], check=True)
    try:
        screen = ""
        end = time.time() + 40
        while time.time() < end:
            screen = subprocess.run(tmux + ["capture-pane", "-p"], capture_output=True, text=True).stdout
            if "5h 78%" in screen:
                break
            time.sleep(0.5)
        print(screen)
        assert "5h 78%" in screen, f"our segment is not in Claude Code's status line:\n{screen}"
        assert "7d 41%" in screen
    finally:
        subprocess.run(tmux + ["kill-server"], capture_output=True)
