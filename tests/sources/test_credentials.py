from __future__ import annotations

import hashlib
import json
import subprocess
import time
from datetime import timedelta

from conftest import ADMIN_KEY, TOKEN, write_credentials

from statusline.cache import paths
from statusline.core.model import utc
from statusline.sources import credentials


def load(env=None, **kw):
    import os

    return credentials.load(paths.resolve(), env if env is not None else dict(os.environ), **kw)


def test_file_token_found_and_expiry_buffer(home):
    write_credentials(home, expires_in=3600)
    c = load()
    assert c.oauth.access_token == TOKEN and c.oauth_source.endswith(".credentials.json")
    assert credentials.resolve_mode("auto", c) == "code"
    now = time.time()
    assert not c.oauth.expired(utc(now))
    assert c.oauth.expired(utc(now + 3600 - 299)), "treated as expired 5 minutes early"
    assert TOKEN not in repr(c), "the token never shows in a repr"


def test_missing_and_corrupt_file_are_problems_not_crashes(home):
    c = load()
    assert c.oauth is None and c.problems == () and credentials.resolve_mode("auto", c) is None
    (home / ".claude" / ".credentials.json").write_text("{not json")
    c = load()
    assert c.oauth is None and "not valid JSON" in c.problems[0]


def test_config_dir_moves_everything(home, tmp_path, monkeypatch):
    other = tmp_path / "work-claude"
    other.mkdir()
    (other / ".credentials.json").write_text(json.dumps({"claudeAiOauth": {"accessToken": "sk-ant-oat01-other"}}))
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(other))
    c = load()
    assert c.oauth.access_token == "sk-ant-oat01-other"
    p = paths.resolve()
    assert p.claude_json == other / ".claude.json"
    assert p.account_dir("auto") != paths.resolve({"HOME": str(home), "CLAUDE_USAGE_CACHE_DIR": str(p.cache_root)}).account_dir("auto")


def test_mode_precedence(home, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_ADMIN_API_KEY", ADMIN_KEY)
    assert credentials.resolve_mode("auto", load()) == "console", "admin key alone -> console"
    write_credentials(home)
    assert credentials.resolve_mode("auto", load()) == "code", "OAuth beats the admin key"
    write_credentials(home, mode="console")
    assert credentials.resolve_mode("auto", load()) == "console", "explicit mode key wins"
    assert credentials.resolve_mode("code", load()) == "code", "--mode wins over everything"


def test_admin_key_from_file(home):
    write_credentials(home, anthropicConsole={"adminApiKey": ADMIN_KEY})
    c = load()
    assert c.admin_key == ADMIN_KEY and "adminApiKey" in c.admin_source


def test_keychain_hex_and_service_suffix(monkeypatch):
    payload = json.dumps({"claudeAiOauth": {"accessToken": "sk-ant-oat01-kc", "expiresAt": 1}})
    seen = {}

    def fake_security(argv, **kw):
        seen["argv"] = argv
        return subprocess.CompletedProcess(argv, 0, payload.encode().hex() + "\n", "")

    c = load(platform="darwin", run=fake_security)
    assert c.oauth.access_token == "sk-ant-oat01-kc" and "Keychain" in c.oauth_source
    assert seen["argv"][-2:] == ["Claude Code-credentials", "-w"]
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", "/x/y")
    suffix = hashlib.sha256(b"/x/y").hexdigest()[:8]
    assert credentials.keychain_service({"CLAUDE_CONFIG_DIR": "/x/y"}) == f"Claude Code-credentials-{suffix}"


def test_expires_at_milliseconds(home):
    write_credentials(home, expires_in=-10)
    c = load()
    assert c.oauth.expires_at < utc(time.time()) + timedelta(seconds=1)
    assert c.oauth.expired(utc(time.time()))


def test_local_account(home):
    (home / ".claude.json").write_text(json.dumps({"oauthAccount": {"emailAddress": "ada@example.com", "accountUuid": "u1"}}))
    assert credentials.local_account(paths.resolve()) == {"email": "ada@example.com", "account_uuid": "u1"}
