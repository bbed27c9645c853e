"""The real Claude Code shows our statusLine: the version the suite pins
(``.ci/claude-code-version``) and the newest on npm when this round began
(``.ci/claude-code-newest``), both installed by ``.ci/run``.

It starts offline: a fake API key, ANTHROPIC_BASE_URL on a dead loopback port, onboarding
marked done and the project trusted in ~/.claude.json. It runs in a private tmux server and
we read its screen. The statusLine is what ``claude-usage setup claude-code --install`` writes
(the fast launch, and its fallback), and the project is a real git repository. Skips with a
reason when a version could not be installed.
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
from helpers import BIN, cli, fetch

ROOT = Path(__file__).resolve().parents[2]
FAKE_KEY = "sk-ant-api03-" + "x" * 40 + "-TESTKEY0"
INSTALLS = {  # which pinned version, and where .ci/run installed it
    "suite": (ROOT / ".ci" / "claude-code-version", ROOT / ".ci" / "node"),
    "newest": (ROOT / ".ci" / "claude-code-newest", ROOT / ".ci" / "node-newest"),
}

pytestmark = [
    pytest.mark.realprog,
    pytest.mark.skipif(not shutil.which("tmux"), reason="tmux not installed"),
    pytest.mark.skipif(not shutil.which("node"), reason="node not installed"),
]


def claude(which: str) -> tuple[str, Path]:
    pin, prefix = INSTALLS[which]
    exe = prefix / "node_modules" / ".bin" / "claude"
    if not exe.exists():
        pytest.skip(f"Claude Code ({which}) not installed: .ci/run installs it with npm")
    return pin.read_text().strip(), exe


def run_claude(exe: Path, version: str, home: Path, proj: Path, wanted: tuple[str, ...]) -> str:
    """Claude Code in a private tmux server, offline, in ``proj``: its screen once every one of
    ``wanted`` is on it (or after 60 s)."""
    (home / ".claude.json").write_text(json.dumps({
        "hasCompletedOnboarding": True, "lastOnboardingVersion": version, "numStartups": 3,
        "customApiKeyResponses": {"approved": [FAKE_KEY[-20:]], "rejected": []},
        "projects": {str(proj): {"hasTrustDialogAccepted": True, "hasCompletedProjectOnboarding": True}},
    }))
    env = {"HOME": str(home), "PATH": f"{BIN}:/usr/bin:/bin", "TERM": "xterm-256color",
           "CLAUDE_USAGE_CACHE_DIR": os.environ["CLAUDE_USAGE_CACHE_DIR"],
           "CLAUDE_USAGE_API_URL": os.environ["CLAUDE_USAGE_API_URL"],
           "CLAUDE_USAGE_STATUS_URL": os.environ["CLAUDE_USAGE_STATUS_URL"],
           "ANTHROPIC_API_KEY": FAKE_KEY, "ANTHROPIC_BASE_URL": "http://127.0.0.1:9",
           "DISABLE_AUTOUPDATER": "1", "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1"}
    sock = f"cc-{uuid.uuid4().hex[:8]}"
    cmd = " ".join(f"{k}={subprocess.list2cmdline([v])}" for k, v in env.items())
    tmux = ["tmux", "-L", sock, "-f", "/dev/null"]
    subprocess.run(tmux + ["new-session", "-d", "-x", "150", "-y", "30", "-c", str(proj),
                           f"env -i {cmd} {exe}"], check=True)
    try:
        screen = ""
        end = time.time() + 60
        while time.time() < end:
            screen = subprocess.run(tmux + ["capture-pane", "-p"], capture_output=True, text=True).stdout
            if all(w in screen for w in wanted):
                break
            time.sleep(0.5)
        print(screen)
        return screen
    finally:
        subprocess.run(tmux + ["kill-server"], capture_output=True)


@pytest.mark.parametrize("which", ["suite", "newest"])
def test_claude_code_shows_the_whole_line_setup_writes(api, logged_in, home, tmp_path, which):
    version, exe = claude(which)
    fetch()  # a warm cache from the loopback API: 5h 78 %, 7d 41 %
    proj = tmp_path / "proj"
    proj.mkdir()
    subprocess.run(["git", "init", "-q", "-b", "feature/login", str(proj)], check=True)
    r = cli("setup", "claude-code", "--install")
    assert r.returncode == 0, r.stderr
    settings = home / ".claude" / "settings.json"
    doc = json.loads(settings.read_text())
    doc["statusLine"]["refreshInterval"] = 2
    settings.write_text(json.dumps(doc))
    screen = run_claude(exe, version, home, proj, ("5h 78%", "feature/login"))
    row = next((ln for ln in screen.splitlines() if "5h 78%" in ln), "")
    assert "7d 41%" in row and "\u2387 feature/login" in row, f"not the whole line:\n{screen}"


def test_claude_code_still_shows_a_line_when_the_fast_launchs_python_is_gone(api, logged_in, home, tmp_path):
    """#27.2: the venv behind the fast launch removed: the real Claude Code showed a blank
    status line. The command setup wrote runs its fallback: the console script still installed."""
    version, exe = claude("newest")
    fetch()
    proj = tmp_path / "proj"
    proj.mkdir()
    assert cli("setup", "claude-code", "--install").returncode == 0
    launch = home / ".local" / "share" / "claude-usage" / "bin" / "claude-usage-line"
    text = launch.read_text()
    launch.write_text(text.replace(text.split("\n", 1)[0], f"#!{tmp_path / 'gone' / 'python'} -IS", 1))
    settings = home / ".claude" / "settings.json"
    doc = json.loads(settings.read_text())
    python = text.split("\n", 1)[0][2:-4]  # the command starts the launcher compiled, with this Python
    assert doc["statusLine"]["command"].startswith(f"{python} -IS {launch}.pyc --claude-code || ")
    doc["statusLine"]["command"] = doc["statusLine"]["command"].replace(python, str(tmp_path / "gone" / "python"), 1)
    settings.write_text(json.dumps(doc))
    screen = run_claude(exe, version, home, proj, ("5h 78%",))
    assert "5h 78%" in screen and "7d 41%" in screen, f"a blank status line:\n{screen}"
