"""claude-usage doctor: facts with fixes, never a secret."""

from __future__ import annotations

import pytest
from apiserver import Reply
from conftest import ADMIN_KEY, TOKEN, write_credentials
from helpers import cli, fetch

# Process-level scenarios: the main Python runs them (.ci/run), the others the rest.
pytestmark = pytest.mark.scenario

U = "/api/oauth/usage"


def test_healthy(api, logged_in):
    fetch()
    r = cli("doctor")
    assert r.returncode == 0, r.stdout
    out = r.stdout
    assert "[ok] mode: code (detected)" in out
    assert ".credentials.json (file mode 600)" in out
    assert "token expiry:" in out and "last error: none" in out and "lock: free" in out
    assert TOKEN not in out and "sk-ant-oat" not in out


def test_rate_limited_shows_backoff_and_fix(api, logged_in):
    api.set(U, Reply(429, {"error": {"type": "rate_limit_error"}}, {"Retry-After": "600"}))
    fetch()
    r = cli("doctor")
    assert r.returncode == 1
    assert "backoff: paused after a rate limit, until " in r.stdout and "(10m left)" in r.stdout
    assert "last error: the API is rate limiting this login (HTTP 429) (at " in r.stdout
    assert "fix: wait: retrying earlier only prolongs a rate limit" in r.stdout


def test_setup_token_without_profile_scope(api, home):
    path = write_credentials(home)
    text = path.read_text().replace('"user:profile"', '"user:other"')
    path.write_text(text)
    r = cli("doctor")
    assert "token scopes: user:inference, user:other" in r.stdout and "setup-token" in r.stdout


def test_console_key_is_named_not_shown(api, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_ADMIN_API_KEY", ADMIN_KEY)
    r = cli("doctor")
    assert "mode: console (detected)" in r.stdout and "Admin API key: from ANTHROPIC_ADMIN_API_KEY" in r.stdout
    assert ADMIN_KEY not in r.stdout and "sk-ant-admin" not in r.stdout
    assert "!!] Console user: not found" in r.stdout and "fix: export CLAUDE_USAGE_EMAIL=" in r.stdout
    monkeypatch.setenv("CLAUDE_USAGE_EMAIL", "Ada@Example.com")
    assert "[ok] Console user: Ada@Example.com (CLAUDE_USAGE_EMAIL)" in cli("doctor").stdout


def test_nothing_found(api):
    r = cli("doctor")
    assert r.returncode == 1 and "mode: none" in r.stdout and "fix: log in with `claude`" in r.stdout


# --- each state gets its own fix (issue 12 #9, issue 10's doctor items) -----------------------

import json  # noqa: E402
import os  # noqa: E402
import shlex  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

from helpers import CLI, account_dir, wait_for  # noqa: E402

from statusline.cache import store  # noqa: E402

ROOT_NS = pytest.mark.skipif(os.geteuid() != 0 or shutil.which("unshare") is None,
                             reason="needs root and unshare for a private mount namespace")


def rows(out: str) -> list[str]:
    return [ln for ln in out.splitlines() if ln.startswith("[")]


def fix_after(out: str, text: str) -> str:
    """The fix printed under the row containing ``text``."""
    lines = out.splitlines()
    i = next(i for i, ln in enumerate(lines) if ln.startswith("[") and text in ln)
    nxt = lines[i + 1] if i + 1 < len(lines) else ""
    return nxt.strip().removeprefix("fix: ") if nxt.strip().startswith("fix:") else ""


@pytest.mark.parametrize("reply, kind, words", [
    (None, "network_error", "cannot connect to"),
    (Reply(500, "<html>oops</html>", content_type="text/html"), "server_error", "the API failed (HTTP 500)"),
    (Reply(401, {"type": "error", "error": {"type": "authentication_error", "message": "Invalid bearer token"}}),
     "auth_invalid", "the API rejected the credentials (HTTP 401): Invalid bearer token"),
])
def test_no_rate_limit_advice_for_network_server_or_auth_errors(api, logged_in, monkeypatch, reply, kind, words):
    if reply is None:
        monkeypatch.setenv("CLAUDE_USAGE_API_URL", "http://127.0.0.1:9")  # nothing listens there
    else:
        api.set(U, reply)
    fetch()
    r = cli("doctor")
    assert r.returncode == 1 and f"last error: {words}" in r.stdout and kind not in r.stdout, r.stdout
    assert "rate limit" not in r.stdout.lower(), r.stdout
    backoff = fix_after(r.stdout, "backoff:")
    if kind == "network_error":
        assert "network" in backoff and "refresh" in backoff
    elif kind == "auth_invalid":
        assert "run `claude`" in backoff
    else:
        assert "retries by itself" in backoff


def test_a_corrupt_cache_in_a_read_only_dir_is_not_promised_a_rebuild(warm):
    acct = account_dir()
    (acct / store.SNAPSHOT).write_text("{not json")
    if os.geteuid() == 0 and shutil.which("unshare"):
        script = (f"mount --bind {shlex.quote(str(acct))} {shlex.quote(str(acct))} && "
                  f"mount -o remount,bind,ro {shlex.quote(str(acct))} && exec {shlex.quote(CLI)} doctor")
        r = subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, text=True, timeout=30)
    else:
        acct.chmod(0o500)
        try:
            r = cli("doctor")
        finally:
            acct.chmod(0o700)
    out = r.stdout
    assert r.returncode == 1 and "Traceback" not in out + r.stderr, out + r.stderr
    assert "is not writable" in out, out
    assert "rebuilt on the next fetch" not in out, out
    fix = fix_after(out, "is not writable")
    assert "CLAUDE_USAGE_CACHE_DIR" in fix and "chmod" in fix


@ROOT_NS
def test_a_full_disk_is_reported(api, logged_in, cache_dir):
    cache_dir.mkdir(parents=True, exist_ok=True)
    d = shlex.quote(str(cache_dir))
    script = (f"mount -t tmpfs -o size=64k tmpfs {d} && (dd if=/dev/zero of={d}/fill bs=4k 2>/dev/null; true) "
              f"&& exec {shlex.quote(CLI)} doctor")
    r = subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, text=True, timeout=30)
    assert r.returncode == 1 and "Traceback" not in r.stdout + r.stderr, r.stdout + r.stderr
    assert f"the disk holding {cache_dir} is full" in r.stdout, r.stdout
    assert "free some space" in fix_after(r.stdout, "is full")


@pytest.mark.parametrize("url", ["htp://api.anthropic.com", "api.anthropic.com", "https://", "http://host:99999",
                                 "https://api.anthropic.com/?x=1", "https://api anthropic.com"])
def test_a_malformed_api_url_is_flagged_with_the_fix(logged_in, monkeypatch, url):
    monkeypatch.setenv("CLAUDE_USAGE_API_URL", url)
    r = cli("doctor")
    assert r.returncode == 1
    row = next(ln for ln in rows(r.stdout) if "API:" in ln)
    assert row.startswith("[!!]") and "is not a usable address" in row, r.stdout
    assert "unset CLAUDE_USAGE_API_URL" in fix_after(r.stdout, "API:")


def test_a_good_api_url_is_ok(api, logged_in):
    assert f"[ok] API: {api.url} (from CLAUDE_USAGE_API_URL)" in cli("doctor").stdout


HOLDER = ("import json, os, sys, time; from filelock import FileLock; d = sys.argv[1]; "
          "lock = FileLock(os.path.join(d, 'fetch.lock')); lock.acquire(); "
          "open(os.path.join(d, 'fetch.owner'), 'w').write(json.dumps({'pid': os.getpid(), 'since': time.time()})); "
          "time.sleep(30)")


def test_the_lock_a_dead_holder_is_stale_a_live_one_is_named(warm):
    acct = account_dir()
    dead = subprocess.Popen(["true"])
    dead.wait()
    (acct / store.OWNER).write_text(json.dumps({"pid": dead.pid, "since": 1.0e9}))
    r = cli("doctor")
    row = next(ln for ln in rows(r.stdout) if "lock:" in ln)
    assert row.startswith("[!!] lock: stale") and f"pid {dead.pid}" in row and "no longer running" in row, row
    assert "claude-usage refresh" in fix_after(r.stdout, "lock:") and r.returncode == 1

    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(acct)])
    try:
        wait_for(lambda: str(holder.pid) in (acct / store.OWNER).read_text(), timeout=10)
        out = cli("doctor").stdout
        row = next(ln for ln in rows(out) if "lock:" in ln)
        assert row.startswith(f"[ok] lock: held by fetcher pid {holder.pid} (python"), row
        assert "stale" not in row
    finally:
        holder.kill()
        holder.wait()
    (acct / store.OWNER).unlink()
    assert "[ok] lock: free" in cli("doctor").stdout


@pytest.mark.parametrize("mode, who", [(0o644, "everyone"), (0o640, "its group")])
def test_readable_credentials_are_a_warning_with_chmod_600(api, home, mode, who):
    path = write_credentials(home)
    path.chmod(mode)
    r = cli("doctor")
    row = next(ln for ln in rows(r.stdout) if "credentials file:" in ln)
    assert row.startswith("[warn]") and f"readable by {who}" in row, r.stdout
    assert fix_after(r.stdout, "credentials file:") == f"chmod 600 {path}"
    assert r.returncode == 1
    path.chmod(0o600)
    assert "credentials file:" not in cli("doctor").stdout


def test_a_rejected_admin_key_is_not_ok_and_the_advice_is_about_the_key(api, monkeypatch):
    rejected = Reply(401, {"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}})
    api.set("/v1/organizations/me", rejected)
    api.set("/v1/organizations/usage_report/claude_code", rejected)
    monkeypatch.setenv("ANTHROPIC_ADMIN_API_KEY", "sk-ant-admin01-WRONG")
    monkeypatch.setenv("CLAUDE_USAGE_EMAIL", "ada@example.com")
    fetch()
    r = cli("doctor")
    out = r.stdout
    assert r.returncode == 1
    row = next(ln for ln in rows(out) if "Admin API key:" in ln)
    assert row.startswith("[!!]") and "rejected" in row, out
    assert "run `claude`" not in out and "run claude" not in out, out
    assert "ANTHROPIC_ADMIN_API_KEY" in fix_after(out, "Admin API key:")
    assert "sk-ant-admin01-WRONG" not in out


def test_an_exception_inside_a_check_is_one_line_not_a_traceback(api, logged_in, tmp_path, monkeypatch):
    monkeypatch.setenv("CLAUDE_PACE_MAKER_DIR", str(tmp_path / ("x" * 5000)))  # ENAMETOOLONG on stat
    r = cli("doctor")
    assert "Traceback" not in r.stdout + r.stderr, r.stdout + r.stderr
    row = next(ln for ln in rows(r.stdout) if "Pace Maker" in ln)
    assert row.startswith("[!!] Pace Maker: could not be checked: OSError") and len(row) < 260, row
    assert "[ok] mode: code" in r.stdout and "lock: free" in r.stdout, "the other checks still ran"


def test_a_log_that_is_a_directory_does_not_break_doctor(warm):
    (account_dir() / store.LOG).mkdir()
    r = cli("doctor")
    assert "Traceback" not in r.stdout + r.stderr and "[ok] lock: free" in r.stdout, r.stdout + r.stderr
    assert Path(account_dir() / store.LOG).is_dir()


def test_each_credentials_problem_gets_its_own_fix(home, monkeypatch):
    """A readable credentials file is one warning with chmod, not also 'run claude'; a bad
    Admin key names the key; a FIFO says to remove it."""
    import os

    from conftest import write_credentials
    from helpers import cli

    path = write_credentials(home)
    path.chmod(0o644)
    out = cli("doctor").stdout
    assert out.count("chmod 600") == 1 and "readable by" in out
    line = next(ln for ln in out.splitlines() if "readable by" in ln)
    assert "run `claude`" not in line
    monkeypatch.setenv("ANTHROPIC_ADMIN_API_KEY", "sk-ant-admin01-bad\x1bkey")
    out = cli("doctor", env=dict(os.environ)).stdout
    rows = out.splitlines()
    i = next(i for i, ln in enumerate(rows) if "Admin API key from" in ln)
    assert "Admin API key" in rows[i + 1] and "run `claude`" not in rows[i + 1] and "\x1b" not in out


def _mistake_row(out: str) -> str | None:
    return next((ln for ln in out.splitlines() if "called with a mistake" in ln), None)


def test_a_line_mistake_clears_at_the_next_correct_call_and_says_when(api, logged_in):
    """One typo (`--format` with no value) must not keep doctor at exit 1 for a week."""
    from helpers import line

    assert line("--format").returncode == 0  # from a prompt: a line anyway, the mistake noted
    row = _mistake_row(cli("doctor").stdout)
    assert row and "--format needs a value" in row and " ago, at " in row
    hook_ok = line("--claude-code", "--no-refresh", input="{}")  # another kind of call: the note stays
    assert hook_ok.returncode == 0 and _mistake_row(cli("doctor").stdout)
    assert line("--format", "tmux", "--no-refresh").returncode == 0
    assert _mistake_row(cli("doctor").stdout) is None


def test_an_old_line_mistake_ages_out(api, logged_in, cache_dir):
    import time

    cache_dir.mkdir(parents=True, exist_ok=True)
    (cache_dir / "line-usage-error").write_text(f"{int(time.time()) - 2 * 86400}\tline\t--mode needs a value\n")
    assert _mistake_row(cli("doctor").stdout) is None
    (cache_dir / "line-usage-error").write_text(f"{int(time.time()) - 600}\tline\t--mode needs a value\n")
    row = _mistake_row(cli("doctor").stdout)
    assert row and "10m ago" in row


def test_doctor_checks_the_configuration_with_a_fix_for_each(api, logged_in, home, monkeypatch):
    conf = home / ".config" / "claude-usage" / "config.toml"
    conf.parent.mkdir(parents=True)
    conf.write_text('ttl = "often"\nglyph = "ascii"\n[thresholds]\nhihg = 90\n')
    monkeypatch.setenv("CLAUDE_USAGE_GLYPHS", "bogus")
    monkeypatch.setenv("CLAUDE_USAGE_CONSOLE_TTL", "abc")
    monkeypatch.setenv("CLAUDE_USAGE_PROFILE_TTL", "1")
    fetch()
    r = cli("doctor")
    assert r.returncode == 1
    lines = r.stdout.splitlines()

    def fix_of(text: str) -> str:
        i = next(i for i, ln in enumerate(lines) if text in ln)
        assert lines[i].startswith(("[!!]", "[warn]")), lines[i]
        return lines[i + 1]

    assert "did you mean glyphs?" in fix_of("unknown key glyph")
    assert "did you mean thresholds.high?" in fix_of("unknown key thresholds.hihg")
    assert "set ttl to a number of seconds" in fix_of("ttl = 'often' is not a number of seconds")
    assert "unset CLAUDE_USAGE_GLYPHS" in fix_of("CLAUDE_USAGE_GLYPHS='bogus'")
    assert "unset CLAUDE_USAGE_CONSOLE_TTL" in fix_of("CLAUDE_USAGE_CONSOLE_TTL='abc'")
    assert "at least the minimum" in fix_of("CLAUDE_USAGE_PROFILE_TTL=1 is below the minimum of 5 seconds; 5 is used")


def test_a_good_configuration_is_ok(api, logged_in, home):
    fetch()
    r = cli("doctor")
    assert "[ok] configuration:" in r.stdout and r.returncode == 0, r.stdout


def test_doctor_says_whether_the_fast_launch_is_precompiled(api, logged_in, home):
    fetch()
    assert "[ok] fast launch: none written" in cli("doctor").stdout
    assert cli("setup", "tmux", "--install").returncode == 0
    out = cli("doctor").stdout
    assert "its hot path precompiled" in out, out
    code = home / ".local" / "share" / "claude-usage" / "bin" / "claude-usage-line.code"
    code.write_bytes(b"from an older install")
    r = cli("doctor")
    assert "precompiled hot path is older than the installed code" in r.stdout
    assert "`claude-usage setup tmux --install`" in r.stdout and r.returncode == 0, r.stdout  # slower, not wrong
    assert cli("setup", "tmux", "--install").returncode == 0
    assert "its hot path precompiled" in cli("doctor").stdout


def test_doctor_writes_no_escape_from_the_fetcher_log_or_a_path(warm, tmp_path, monkeypatch):
    """Doctor quotes the fetcher log's last line and prints paths: both reach the terminal
    through its one door (controls as ?), so a crash report holding OSC 52 or a clear-screen,
    or a cache path named with one, sets nothing."""
    log = account_dir() / store.LOG
    log.write_bytes(b"Traceback: \x1b]52;c;aGFja2Vk\x07 \x1b[2J \x9b2J \xc2\x9d0;title\xc2\x9c end\n")
    r = cli("doctor")
    assert "fetcher log:" in r.stdout and " end" in r.stdout, r.stdout
    assert "\x1b" not in r.stdout and "\x07" not in r.stdout and "\x9b" not in r.stdout and "\x9d" not in r.stdout
    odd = tmp_path / "cache\x1b[7m"
    monkeypatch.setenv("CLAUDE_USAGE_CACHE_DIR", str(odd))
    r = cli("doctor")
    assert "cache?[7m" in r.stdout and "\x1b" not in r.stdout, r.stdout


def test_doctor_says_what_comes_first_and_each_path_problem_once(monkeypatch):
    """#27.7, #27.11, #27.15.9: no credentials: "run refresh" was the fix for an empty cache;
    a relative XDG value was used silently; a 100 KB cache path failed three checks at length."""
    r = cli("doctor")
    assert "first log in with `claude`" in r.stdout and "fix: run `claude-usage refresh`" not in r.stdout, r.stdout
    monkeypatch.setenv("XDG_CACHE_HOME", "share")
    monkeypatch.setenv("CLAUDE_USAGE_CACHE_DIR", "/tmp/" + "a/" * 50000)
    r = cli("doctor")
    assert "XDG_CACHE_HOME='share' is a relative path: ignored" in r.stdout
    assert r.stdout.count("cannot be used: its path is") == 1 and "could not be checked" not in r.stdout, r.stdout
    assert len(r.stdout) < 8000


def _launch(home):
    return home / ".local" / "share" / "claude-usage" / "bin" / "claude-usage-line"


def test_doctor_runs_the_fast_launch_and_names_a_dead_or_swapped_one(api, logged_in, home, tmp_path):
    """#27.2 and #27.10: a fast launch whose Python is gone, or one swapped for another script,
    was `[ok] fast launch` while every bar went blank or ran the other script."""
    fetch()
    assert cli("setup", "tmux", "--install").returncode == 0
    launch = _launch(home)
    text = launch.read_text()

    def row() -> tuple[str, str, int]:
        r = cli("doctor")
        lines = r.stdout.splitlines()
        i = next(i for i, ln in enumerate(lines) if "fast launch:" in ln)
        fix = lines[i + 1] if i + 1 < len(lines) and "fix:" in lines[i + 1] else ""
        return lines[i], fix, r.returncode

    mark, fix, code = row()
    assert mark.startswith("[ok]") and "runs, its hot path precompiled" in mark
    launch.write_text(text.replace(text.split("\n", 1)[0], f"#!{tmp_path / 'gone' / 'python'} -IS", 1))
    mark, fix, code = row()
    assert mark.startswith("[!!]") and "is gone" in mark and code == 1, mark
    assert "run `claude-usage setup tmux --install`" in fix, fix
    launch.write_text("#!/bin/sh\necho pwned\n")  # swapped for another script
    mark, fix, code = row()
    assert mark.startswith("[!!]") and "not what setup writes" in mark and f"rm {launch}" in fix, mark
    launch.write_text(text + "\n# a line more\n")  # ours, edited
    mark, fix, code = row()
    assert mark.startswith("[!!]") and "was changed since" in mark, mark
    launch.write_text(text)
    compiled = launch.with_name("claude-usage-line.pyc")
    good = compiled.read_bytes()
    compiled.unlink()  # Claude Code's command would start the fallback, slower
    mark, fix, code = row()
    assert mark.startswith("[!!]") and "compiled form" in mark and "run `claude-usage setup tmux --install`" in fix, mark
    compiled.write_bytes(good)
    share = launch.parent.parent.parent  # ~/.local/share, open to all: anyone could swap our folder
    share.chmod(0o777)
    mark, fix, code = row()
    assert mark.startswith("[!!]") and "writable by other users" in mark and f"chmod go-w {share}" in fix, mark
    share.chmod(0o755)
    launch.parent.chmod(0o777)  # our own folder left open: ours by name, made private again
    assert row()[0].startswith("[ok]") and launch.parent.stat().st_mode & 0o777 == 0o700
