"""Claude Code's statusLine hook, fed its documented input by a real pipe."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest
from helpers import LINE, account_dir, cli, fetch, line, line_json

U = "/api/oauth/usage"
NOW = time.time()


def status_input(five=23.5, seven=41.2, **kw):
    doc = {
        "session_id": "s1", "transcript_path": "/tmp/t.jsonl", "cwd": "/tmp",
        "model": {"id": "claude-opus-4-1", "display_name": "Opus"},
        "workspace": {"current_dir": "/tmp", "project_dir": "/tmp", "added_dirs": []},
        "version": "2.1.90", "output_style": {"name": "default"},
        "cost": {"total_cost_usd": 0.0123, "total_duration_ms": 1000, "total_api_duration_ms": 500,
                 "total_lines_added": 1, "total_lines_removed": 0},
        "context_window": {"context_window_size": 200000, "used_percentage": 8, "remaining_percentage": 92},
        "exceeds_200k_tokens": False,
        "rate_limits": {"five_hour": {"used_percentage": five, "resets_at": int(NOW + 6000)},
                        "seven_day": {"used_percentage": seven, "resets_at": int(NOW + 5 * 86400)}},
    }
    doc.update(kw)
    return json.dumps(doc)


HANG_S = 10  # a hook that hung would never end; how fast it ends is bench/'s business


def hook(stdin: str, *args: str, env=None):
    t = time.time()
    r = line("--claude-code", *args, input=stdin, env=env)
    return r, time.time() - t


def test_harvest_shows_everywhere_without_an_api_call(api, logged_in):
    r, took = hook(status_input())
    assert r.returncode == 0 and took < HANG_S
    assert "5h 23%" in r.stdout and "\x1b[" in r.stdout, "ANSI line for Claude Code"
    doc = line_json()  # another process, another format
    assert doc["five_hour"]["utilization"] == 23.5 and doc["seven_day"]["utilization"] == 41.2
    assert doc["source"] == "claude-code" and doc["status"] == "ok"
    plain = line("--format", "plain").stdout  # may refresh if needed: it must not need to
    assert plain.startswith("5h 23%")
    time.sleep(0.5)
    assert api.count(U) == 0, "harvested data is fresh: no usage request"
    r = fetch()  # even a fetcher run skips the usage call while the harvest is fresh
    assert r.returncode == 0 and api.count(U) == 0
    snap = json.loads((account_dir() / "snapshot.json").read_text())
    assert snap["usage"]["five_hour"]["utilization"] == 23.5 and snap["usage_source"] == "claude-code"


def test_two_inputs_at_one_moment_take_the_larger_and_a_new_window_replaces(logged_in):
    hook(status_input(five=40.0))
    hook(status_input(five=30.0))  # within readings.CLOSE_S of the first: one moment, the larger is safe
    assert line_json()["five_hour"]["utilization"] == 40.0
    later = {"five_hour": {"used_percentage": 2.0, "resets_at": int(NOW + 6000 + 5 * 3600)}}
    hook(status_input(rate_limits=later))
    doc = line_json()
    assert doc["five_hour"]["utilization"] == 2.0, "a new window replaces the old"
    assert doc["seven_day"]["utilization"] == 41.2, "a window missing from one input is kept"


def test_without_rate_limits_shows_the_cache(api, logged_in):
    fetch()
    r, _ = hook(status_input(rate_limits=None))
    assert "5h 78%" in r.stdout


@pytest.mark.parametrize("stdin", [
    "", "{", '{"rate_limits": {"five_hour": null, "seven_day": {"used_percentage": null}}, "model": null}',
    '{"rate_limits": "x", "cost": [], "context_window": 3}', "[1,2,3]", "\x00\xff garbage",
    '{"rate_limits": {"five_hour": {"used_percentage": 12, "resets_at": "soon"}}}',
])
def test_malformed_partial_and_null_input(stdin, logged_in):
    r, took = hook(stdin)
    assert r.returncode == 0 and r.stdout.strip() and "Traceback" not in r.stderr
    assert took < HANG_S


def test_stdin_that_never_closes(logged_in):
    for payload in (b"", status_input().encode()):
        t = time.time()
        p = subprocess.Popen([LINE, "--claude-code"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        if payload:
            p.stdin.write(payload)
            p.stdin.flush()
        out = p.stdout.readline()
        took = time.time() - t
        p.stdin.close()
        p.wait(5)
        assert p.returncode == 0 and out.strip()
        assert took < HANG_S, f"must not hang on an open stdin ({took:.2f}s)"
        if payload:
            assert b"5h 23%" in out, "a complete object is used without waiting for EOF"


def test_a_pipe_written_late_is_read_and_left_blocking(logged_in):
    """The hook reads a pipe without select, non-blocking: input that arrives after it started
    is still read, and the pipe (which others may share) is blocking again when it is done."""
    r_fd, w_fd = os.pipe()
    try:
        p = subprocess.Popen([LINE, "--claude-code"], stdin=r_fd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        data = status_input(five=31.0).encode()
        os.write(w_fd, data[:20])  # a first part at once, the rest once the hook is up and has read it
        time.sleep(0.1)
        os.write(w_fd, data[20:])
        out, err = p.communicate(timeout=HANG_S)
        assert p.returncode == 0 and b"5h 31%" in out, out + err
        assert os.get_blocking(r_fd), "the pipe must be put back as it was"
    finally:
        os.close(r_fd)
        os.close(w_fd)


def test_extra_items_keep_rate_limits_first(logged_in):
    r, _ = hook(status_input(), "--show", "model,context,cost")
    text = r.stdout
    plain = __import__("re").sub(r"\x1b\[[0-9;]*m", "", text).strip()
    assert plain.startswith("5h 23%")
    assert plain.endswith("Opus \u00b7 ctx 8% \u00b7 $0.01")


def test_chain_runs_the_previous_command_with_the_same_input(logged_in, tmp_path):
    script = tmp_path / "theirs.sh"
    script.write_text("#!/bin/sh\npython3 -c 'import json,sys; print(\"theirs:\", json.load(sys.stdin)[\"model\"][\"id\"])'\n")
    script.chmod(0o755)
    r, _ = hook(status_input(), "--chain", str(script))
    assert "5h 23%" in r.stdout and "theirs: claude-opus-4-1" in r.stdout
    r, _ = hook(status_input(), "--chain", "exit 3")
    assert r.returncode == 0 and "5h 23%" in r.stdout


@pytest.mark.parametrize("theirs", ["keeps_stdout_open", "endless", "too_slow"])
def test_a_chained_command_is_bounded_in_time_output_and_children(logged_in, tmp_path, theirs):
    """#27.15.7: a chained command whose child keeps stdout open cost 3 s per update and lost its
    output; 2 GB of output took 1.6 GB of memory; a timed-out chain left orphans behind."""
    mark = tmp_path / "orphan.pid"
    cmd = {"keeps_stdout_open": f"echo theirs-line; (echo $$ > {mark}.x; sleep 30) & exit 0",
           "endless": "head -c 2000000000 /dev/zero; yes theirs-endless-line",
           "too_slow": f"(sleep 30; echo late) & echo $! > {mark}; sleep 30"}[theirs]
    t = time.monotonic()
    if theirs == "endless":  # at most 1 GB of address space: holding all it prints would not fit
        import shlex

        r = subprocess.run(["/bin/sh", "-c", f"ulimit -v {1 << 20}; exec {LINE} --claude-code --chain "
                            + shlex.quote(cmd)], input=status_input(), capture_output=True, text=True, timeout=30)
    else:
        r, _ = hook(status_input(), "--chain", cmd)
    took = time.monotonic() - t
    plain = __import__("re").sub(r"\x1b\[[0-9;]*m", "", r.stdout)
    assert r.returncode == 0 and "5h 23%" in plain, r
    if theirs == "keeps_stdout_open":
        assert "theirs-line" in plain and took < 2.0, (took, plain)  # read when it exited, not after 3 s
    elif theirs == "endless":
        assert len(r.stdout) < 70 * 1024
    else:
        assert took < 3.0 + 2.0 and "late" not in plain
        pid = int(mark.read_text())
        time.sleep(0.2)
        assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2], \
            "the chain's own child was left running"


# --- setup claude-code -------------------------------------------------------------------

def settings_path(home):
    return home / ".claude" / "settings.json"


def test_setup_on_fresh_settings(home):
    r = cli("setup", "claude-code", "--install")
    assert r.returncode == 0, r.stderr
    s = json.loads(settings_path(home).read_text())
    assert s["statusLine"]["type"] == "command" and s["statusLine"]["command"].endswith("claude-usage-line-fallback --claude-code")
    assert s["statusLine"]["refreshInterval"] == 30
    assert not list(settings_path(home).parent.glob("settings.json.bak-*"))


def test_setup_keeps_keys_chains_existing_and_is_idempotent(home):
    original = {"model": "opus", "permissions": {"allow": ["Bash(ls:*)"]}, "hooks": {"Stop": []},
                "statusLine": {"type": "command", "command": "~/bin/my-status.sh --fancy", "padding": 1}}
    settings_path(home).write_text(json.dumps(original, indent=4))
    r = cli("setup", "claude-code", "--install")
    assert r.returncode == 0, r.stderr
    s = json.loads(settings_path(home).read_text())
    for key in ("model", "permissions", "hooks"):
        assert s[key] == original[key]
    cmd = s["statusLine"]["command"]
    assert "--claude-code --chain '~/bin/my-status.sh --fancy'" in cmd
    assert s["statusLine"]["padding"] == 1 and s["statusLine"]["refreshInterval"] == 30
    backups = list(settings_path(home).parent.glob("settings.json.bak-*"))
    assert len(backups) == 1 and json.loads(backups[0].read_text()) == original
    before = settings_path(home).read_bytes()
    r = cli("setup", "claude-code", "--install")
    assert r.returncode == 0 and "nothing changed" in r.stdout
    assert settings_path(home).read_bytes() == before
    assert len(list(settings_path(home).parent.glob("settings.json.bak-*"))) == 1


def test_setup_refuses_broken_settings(home):
    settings_path(home).write_text("{ broken")
    r = cli("setup", "claude-code", "--install")
    assert r.returncode == 1 and "nothing was changed" in r.stderr
    assert settings_path(home).read_text() == "{ broken"


def test_setup_print_only_writes_nothing(home):
    r = cli("setup", "claude-code", "--print")
    assert r.returncode == 0 and json.loads(r.stdout)["statusLine"]["type"] == "command"
    assert not settings_path(home).exists()


def test_setup_follows_claude_config_dir(tmp_path, monkeypatch):
    cfg = tmp_path / "work-claude"
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(cfg))
    assert cli("setup", "claude-code", "--install", env=dict(os.environ)).returncode == 0
    assert (cfg / "settings.json").exists()


def test_setup_without_install_previews_and_writes_nothing(home):
    """Like every other target, `setup claude-code` alone prints: the entry now, the entry then,
    the chain that keeps the user's own command; only --install writes."""
    original = {"model": "opus", "statusLine": {"type": "command", "command": "~/bin/my-status.sh"}}
    settings_path(home).write_text(json.dumps(original))
    before = settings_path(home).read_bytes()
    r = cli("setup", "claude-code")
    assert r.returncode == 0, r.stderr
    assert settings_path(home).read_bytes() == before
    assert not list(settings_path(home).parent.glob("settings.json.bak-*"))
    out = r.stdout
    assert str(settings_path(home)) in out and '"command": "~/bin/my-status.sh"' in out
    assert "--claude-code --chain '~/bin/my-status.sh'" in out and "keeps running beside ours" in out
    assert "--install" in out and "Nothing was written" in out
    fresh = home / "other"
    r = cli("setup", "claude-code", env={**os.environ, "CLAUDE_CONFIG_DIR": str(fresh)})
    assert r.returncode == 0 and "now:  (none)" in r.stdout and not fresh.exists()


def test_setup_uninstall_takes_ours_out_and_puts_the_chain_back(home):
    original = {"model": "opus", "statusLine": {"type": "command", "command": "~/bin/my-status.sh", "padding": 2}}
    settings_path(home).write_text(json.dumps(original))
    assert cli("setup", "claude-code", "--install").returncode == 0
    r = cli("setup", "claude-code", "--uninstall")
    assert r.returncode == 0, r.stderr
    s = json.loads(settings_path(home).read_text())
    assert s["model"] == "opus" and s["statusLine"]["command"] == "~/bin/my-status.sh"
    assert "your own command is back" in r.stdout
    assert len(list(settings_path(home).parent.glob("settings.json.bak-*"))) >= 1  # backups kept
    settings_path(home).write_text(json.dumps({"model": "opus"}))
    assert cli("setup", "claude-code", "--install").returncode == 0
    assert cli("setup", "claude-code", "--uninstall").returncode == 0
    assert json.loads(settings_path(home).read_text()) == {"model": "opus"}
    again = cli("setup", "claude-code", "--uninstall")
    assert again.returncode == 0 and "nothing changed" in again.stdout


def test_a_lone_surrogate_in_the_session_id_keeps_the_input(warm):
    """#27.15.6: a session_id holding a lone surrogate ("\\ud800", legal JSON) made the hook print
    `claude: ?` and drop the input."""
    stdin = json.dumps({"session_id": "\ud800x", "rate_limits": {"five_hour": {
        "used_percentage": 31, "resets_at": int(time.time()) + 3000}}})
    r = line("--claude-code", "--no-refresh", input=stdin)
    assert r.returncode == 0 and "5h 31%" in r.stdout, r
