"""claude-usage doctor: facts with fixes, never a secret."""

from __future__ import annotations

from apiserver import Reply
from conftest import ADMIN_KEY, TOKEN, write_credentials
from helpers import cli, fetch

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
    assert "backoff: rate_limited x1 until" in r.stdout
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
