"""The macOS Keychain path, run on Linux: ``CLAUDE_USAGE_PLATFORM=darwin`` (the one seam) and a
stub ``security`` on PATH that answers the way the real one can. The fetcher runs as a real
process against the loopback API, so what reaches "the API" is what the Keychain held."""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

import pytest
from helpers import fetch, line

from statusline.sources import credentials

TOKEN = "sk-ant-oat01-KEYCHAIN-token-for-tests"
SECRET = json.dumps({"claudeAiOauth": {"accessToken": TOKEN, "refreshToken": "sk-ant-ort01-never-used",
                                       "expiresAt": int((time.time() + 8 * 3600) * 1000),
                                       "scopes": ["user:inference", "user:profile"],
                                       "subscriptionType": "max", "rateLimitTier": "default_claude_max_5x"}})

STUB = """#!/bin/sh
printf '%s\\n' "$*" >> "{log}"
{body}
"""

ANSWERS = {
    "json": f"printf '%s' '{SECRET}'",
    "hex": f"printf '%s' '{SECRET.encode().hex()}'",
    "garbage": "printf 'not a secret at all \\001\\002'",
    "slow": f"sleep 10; printf '%s' '{SECRET}'",
    "endless": "exec cat /dev/zero",
    # It answers, then leaves a child of its own holding stdout open for a minute.
    "holds": f"printf '%s' '{SECRET}'; (sleep 60) & exit 0",
    "absent": "echo 'security: SecKeychainSearchCopyNext: The specified item could not be found.' >&2; exit 44",
}


def shown(kind: str) -> str:
    """The line after the fetch (``pytest -s`` prints it: the closing note's table)."""
    out = line("--format", "plain", "--no-refresh").stdout.strip()
    print(f"line (Keychain {kind}):", out)
    return out


@pytest.fixture
def keychain(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Install the stub answering ``kind``; returns the file its argv is logged to."""
    def install(kind: str) -> Path:
        bin_dir = tmp_path / "stubbin"
        bin_dir.mkdir(exist_ok=True)
        log = tmp_path / "security.log"
        stub = bin_dir / "security"
        stub.write_text(STUB.format(log=log, body=ANSWERS[kind]))
        stub.chmod(0o755)
        monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
        monkeypatch.setenv("CLAUDE_USAGE_PLATFORM", "darwin")
        return log
    return install


@pytest.mark.parametrize("kind", ["json", "hex"])
def test_the_keychain_secret_logs_in_and_never_touches_disk(api, keychain, cache_dir, kind):
    log = keychain(kind)
    r = fetch()
    assert r.returncode == 0, r.stdout + r.stderr
    assert {req.headers["Authorization"] for req in api.requests} == {f"Bearer {TOKEN}"}
    assert shown(kind).startswith("5h 78%")
    assert "find-generic-password -s Claude Code-credentials -w" in log.read_text()
    for f in cache_dir.rglob("*"):
        if f.is_file():
            assert TOKEN.encode() not in f.read_bytes(), f"the Keychain token leaked into {f}"


def test_garbage_from_the_keychain_says_so_and_calls_nothing(api, keychain):
    keychain("garbage")
    r = fetch()
    assert r.returncode == 1 and "not valid JSON" in r.stdout, r.stdout
    assert api.requests == []
    out = shown("garbage")
    assert "no credentials" in out and "not valid JSON" not in out  # a short marker, never the detail


def test_a_keychain_that_answers_after_10_s_is_cut_off(api, keychain):
    keychain("slow")
    r = fetch()
    # "timed out" is the bound's own message: the fetch cut `security` off, it did not wait it out
    assert r.returncode == 1 and "timed out" in r.stdout, r.stdout
    assert api.requests == []
    assert "no credentials" in shown("after 10 s")


def test_no_keychain_item_is_no_credentials(api, keychain):
    keychain("absent")
    r = fetch()
    assert r.returncode == 1 and "log in" in r.stdout, r.stdout
    assert api.requests == []
    assert "no credentials" in shown("absent")


def test_the_config_dir_suffix_names_its_own_keychain_item(api, keychain, tmp_path, monkeypatch):
    log = keychain("json")
    work = tmp_path / "work claude"
    work.mkdir()
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(work))
    assert fetch().returncode == 0
    suffix = hashlib.sha256(str(work).encode()).hexdigest()[:8]
    assert f"-s Claude Code-credentials-{suffix} -w" in log.read_text()
    assert credentials.keychain_service({"CLAUDE_CONFIG_DIR": str(work)}) == f"Claude Code-credentials-{suffix}"


def test_a_keychain_answer_that_never_ends_is_cut_at_its_limit(api, keychain):
    """#27.15.1: `security` as `cat /dev/zero` grew refresh to 6 GB in 15 s."""
    import subprocess

    from helpers import CLI

    keychain("endless")
    r = subprocess.run(["/bin/sh", "-c", f"ulimit -v {2 << 20}; exec {CLI} refresh"], capture_output=True,
                       text=True, timeout=30)  # at most 2 GB of address space: more would kill it
    assert r.returncode == 1 and "Traceback" not in r.stderr and "MemoryError" not in r.stderr, r.stderr
    assert api.requests == []
    assert "no credentials" in shown("endless")


def test_a_keychain_answer_whose_child_keeps_stdout_open_is_read_at_once(api, keychain):
    """#27.15.2: `security` answers and exits, but a child of its holds the pipe: the answer was
    lost as "timed out" after 3 s."""
    keychain("holds")
    t = time.monotonic()
    r = fetch()
    assert r.returncode == 0 and time.monotonic() - t < 2.5, r.stdout
    assert shown("holds").startswith("5h 78%")
