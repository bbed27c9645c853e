"""The fetcher against a real HTTP server: every outcome, backoff, and the last good data kept."""

from __future__ import annotations

import json
import stat
import threading
import time

import pytest
from apiserver import Reply, usage_body
from conftest import TOKEN, write_credentials
from helpers import account_dir, age_cache, fetch, line, line_json, wait_for

U = "/api/oauth/usage"


def good_fetch():
    r = fetch()
    assert r.returncode == 0, r.stdout + r.stderr
    return line_json()


def test_success_writes_a_private_cache_without_secrets(api, logged_in):
    doc = good_fetch()
    assert doc["status"] == "ok" and doc["five_hour"]["utilization"] == 78.0
    acct = account_dir()
    assert stat.S_IMODE(acct.stat().st_mode) == 0o700
    assert stat.S_IMODE(acct.parent.stat().st_mode) == 0o700
    for f in acct.rglob("*"):
        if f.is_dir():
            assert stat.S_IMODE(f.stat().st_mode) == 0o700, f
            continue
        assert stat.S_IMODE(f.stat().st_mode) == 0o600, f
        assert TOKEN.encode() not in f.read_bytes(), f"token leaked into {f.name}"
    req = api.requests[0]
    assert req.headers["Authorization"] == f"Bearer {TOKEN}"
    assert req.headers["anthropic-beta"] == "oauth-2025-04-20"
    assert req.headers["User-Agent"].startswith("claude-code/")
    snap = json.loads((acct / "snapshot.json").read_text())
    assert snap["schema"] == 1 and snap["profile"]["email"] == "ada@example.com"


@pytest.mark.parametrize("reply,kind,status", [
    (Reply(401, {"type": "error", "error": {"type": "authentication_error", "message": "Invalid bearer token"}}),
     "auth_invalid", "auth_expired"),
    (Reply(403, {"type": "error", "error": {"type": "permission_error",
                                            "message": "OAuth token does not meet scope requirement user:profile"}}),
     "missing_scope", "ok"),
    (Reply(500, {"error": {"message": "boom"}}), "server_error", "ok"),
    (Reply(200, "<html><body>Cloudflare</body></html>", content_type="text/html"), "bad_response", "ok"),
    (Reply(200, "[1, 2]"), "bad_response", "ok"),
    (Reply(429, {"error": {"type": "rate_limit_error", "message": "Rate limited. Please try again later."}},
           {"Retry-After": "120"}), "rate_limited", "rate_limited"),
])
def test_failures_keep_the_last_good_data(api, logged_in, reply, kind, status):
    good_fetch()
    age_cache(40)
    api.set(U, reply)
    r = fetch()
    assert r.returncode == 1
    snap = json.loads((account_dir() / "snapshot.json").read_text())
    assert snap["last_error"]["kind"] == kind
    assert TOKEN not in r.stdout + r.stderr + json.dumps(snap)
    doc = line_json()
    assert doc["five_hour"]["utilization"] == 78.0, "last good data kept"
    assert doc["status"] == status


def test_hanging_server_times_out_and_backs_off(api, logged_in, monkeypatch):
    good_fetch()
    age_cache(40)
    gate = threading.Event()
    api.set(U, Reply(200, usage_body(), gate=gate))  # hangs until after the fetch returned
    monkeypatch.setenv("CLAUDE_USAGE_HTTP_TIMEOUT", "0.5")
    try:
        r = fetch()
    finally:
        gate.set()
    assert r.returncode == 1 and "within" in r.stdout
    snap = json.loads((account_dir() / "snapshot.json").read_text())
    assert snap["last_error"]["kind"] == "network_error" and snap["backoff"]["failures"] == 1


def test_429_retry_after_120_means_no_request_for_the_next_minute(api, logged_in):
    good_fetch()
    age_cache(40)
    api.set(U, Reply(429, {"error": {"type": "rate_limit_error"}}, {"Retry-After": "120"}))
    fetch()
    before = api.count(U)
    for _ in range(6):  # the next minute, in 10 s steps, many prompts each
        age_cache(10)
        for _ in range(3):
            r = line()
            assert r.returncode == 0 and r.stdout.strip()
        time.sleep(0.2)
    time.sleep(0.5)
    assert api.count(U) == before, "no request during the Retry-After window"
    assert "\u23f8" in line("--format", "plain").stdout
    age_cache(61)  # now past the two minutes
    api.set(U, Reply(200, usage_body(five=12.0)))
    line()
    wait_for(lambda: api.count(U) == before + 1)
    wait_for(lambda: line_json()["five_hour"]["utilization"] == 12.0)


def test_429_without_retry_after_waits_a_minute_and_escalates(api, logged_in):
    good_fetch()
    api.set(U, Reply(429, {"error": {}}))
    fetch("--force")
    s1 = json.loads((account_dir() / "snapshot.json").read_text())["backoff"]
    n = api.count(U)
    fetch("--force")  # even a forced refresh does not call inside a refused window
    assert api.count(U) == n
    age_cache(61)
    fetch()
    s2 = json.loads((account_dir() / "snapshot.json").read_text())["backoff"]
    from statusline.core.model import parse_iso

    at1 = parse_iso(json.loads((account_dir() / "snapshot.json").read_text())["last_attempt_at"])
    assert s1["failures"] == 1 and s2["failures"] == 2
    assert (parse_iso(s2["until"]) - at1).total_seconds() == pytest.approx(120, abs=1)


def test_401_waits_until_the_credentials_change(api, logged_in, home):
    api.set(U, Reply(401, {"error": {"message": "Invalid bearer token"}}))
    fetch()
    n = api.count(U)
    age_cache(3600)
    for _ in range(3):
        assert "run claude" in line("--format", "plain").stdout
    time.sleep(0.5)
    assert api.count(U) == n, "no retry while the credentials are unchanged"
    api.set(U, Reply(200, usage_body(five=33.0)))
    time.sleep(0.01)
    write_credentials(home, token="sk-ant-oat01-REFRESHED-BY-CLAUDE-CODE")
    line()
    wait_for(lambda: line_json()["five_hour"] and line_json()["five_hour"]["utilization"] == 33.0)
    assert api.requests[-1].headers["Authorization"].endswith("REFRESHED-BY-CLAUDE-CODE") or \
        any(r.headers.get("Authorization", "").endswith("REFRESHED-BY-CLAUDE-CODE") for r in api.requests)


def test_expired_token_is_never_sent_nor_refreshed(api, home):
    write_credentials(home, expires_in=60)  # inside the 5-minute buffer
    r = fetch()
    assert r.returncode == 1 and "run `claude`" in r.stdout
    assert api.count(U) == 0
    assert json.loads((home / ".claude" / ".credentials.json").read_text())["claudeAiOauth"]["accessToken"] == TOKEN
    assert line_json()["status"] == "auth_expired"


def test_another_account_never_mixes(api, logged_in, home):
    (home / ".claude.json").write_text(json.dumps({"oauthAccount": {"accountUuid": "acc-A"}}))
    good_fetch()
    (home / ".claude.json").write_text(json.dumps({"oauthAccount": {"accountUuid": "acc-B"}}))
    api.set(U, Reply(500, {}))
    age_cache(40)
    fetch()
    doc = line_json()
    assert doc["five_hour"] is None, "account A's numbers are not shown for account B"


def test_corrupt_cache_is_rebuilt(api, logged_in):
    good_fetch()
    acct = account_dir()
    (acct / "snapshot.json").write_text("{garbage")
    (acct / "line.bin").write_bytes(b"\x00\xffnot marshal")
    r = line("--format", "plain")
    assert r.returncode == 0 and r.stdout.strip() == "claude \u2026"
    wait_for(lambda: line_json()["status"] == "ok")
    assert (acct / "snapshot.json.corrupt").read_text() == "{garbage", "the bad file is kept aside"


def test_clock_skew_cache_from_the_future_is_refetched(api, logged_in):
    good_fetch()
    age_cache(-7200)  # written "two hours from now" by a skewed clock
    n = api.count(U)
    line()
    wait_for(lambda: api.count(U) == n + 1)


def test_busy_lock_means_exit_not_wait(api, logged_in):
    from filelock import FileLock

    acct = account_dir()
    acct.mkdir(parents=True, exist_ok=True)
    with FileLock(str(acct / "fetch.lock")):
        t = time.time()
        r = fetch("--force")
        assert time.time() - t < 20 and r.returncode == 0 and "another fetcher" in r.stdout  # never waits it out
    assert api.count(U) == 0


def test_background_log_is_kept_small(api, logged_in):
    acct = account_dir()
    acct.mkdir(parents=True, exist_ok=True)
    log = acct / "fetcher.log"
    log.write_bytes(b"old crash report\n" * 20000)
    fetch("--background")
    assert 0 < log.stat().st_size <= 64 * 1024


def test_a_new_token_refetches_the_profile(api, logged_in, home):
    P = "/api/oauth/profile"
    good_fetch()
    age_cache(40)
    fetch()
    assert api.count(P) == 1, "the profile is hourly while the token stays the same"
    snap = json.loads((account_dir() / "snapshot.json").read_text())
    assert snap["token_fp"] and snap["token_fp"] not in TOKEN and len(snap["token_fp"]) == 12
    write_credentials(home, token="sk-ant-oat01-SOMEONE-ELSE-LOGGED-IN")
    age_cache(40)
    fetch()
    assert api.count(P) == 2, "a new token may be a new login: the profile is fetched again"


@pytest.mark.parametrize("status", (500, 429))
def test_profile_still_shows_when_the_usage_call_fails(api, logged_in, status):
    """A failing usage endpoint does not hide who is logged in: the profile is its own call."""
    from helpers import cli

    api.set(U, Reply(status, {"error": {"type": "x", "message": "nope"}}, headers={"Retry-After": "60"}))
    fetch()
    assert api.count("/api/oauth/profile") == 1
    out = cli().stdout
    assert "Ada (ada@example.com)" in out and "Tier: Max 5x" in out, out


def test_a_clock_that_jumped_past_the_tokens_expiry_leaves_no_marker_once_it_is_back(api, logged_in):
    """#27.15.8: the machine's clock jumps ten days ahead, past the token's expiry: "⚠ run claude"
    is right then. The clock comes back, the token is valid again and its file never changed: the
    marker stayed, since an expiry waited for new credentials as a server's 401 does."""
    from statusline.cache.paths import resolve
    from statusline.fetch import fetcher

    ahead = time.time() + 10 * 86400
    got = fetcher.run(resolve(), clock=lambda: ahead)
    assert got.state == "failed" and "expired" in got.message
    assert "login expired" in line("--format", "plain", "--no-refresh").stdout or \
        "run claude" in line("--format", "plain", "--no-refresh").stdout
    back = fetcher.run(resolve())  # the real clock again
    assert back.state == "fetched", back
    shown = line("--format", "plain", "--no-refresh").stdout
    assert "5h 78%" in shown and "run claude" not in shown, shown


def test_an_infinite_ttl_is_ignored_everywhere(warm, monkeypatch):
    """#27.15.9: CLAUDE_USAGE_TTL=1e999 (inf): doctor could not check it (OverflowError)."""
    from helpers import cli

    monkeypatch.setenv("CLAUDE_USAGE_TTL", "1e999")
    r = cli("doctor")
    assert "could not be checked" not in r.stdout and "OverflowError" not in r.stdout, r.stdout
    assert "CLAUDE_USAGE_TTL='1e999' is not a number of seconds" in r.stdout
    assert fetch().returncode == 0 and line_json()["five_hour"]["utilization"] == 78.0
