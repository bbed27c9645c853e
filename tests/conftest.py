"""Fixtures: every test gets its own HOME, Claude config dir, cache dir and loopback API.

Nothing here touches the real home directory or cache: ``isolated_env`` replaces them all,
and subprocesses get the same environment explicitly.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from apiserver import PROFILE_BODY, ApiServer, Reply, usage_body  # noqa: E402
from helpers import fetch  # noqa: E402

TOKEN = "sk-ant-oat01-TESTTOKEN-abcdefghijklmnopqrstuvwxyz0123456789"
ADMIN_KEY = "sk-ant-admin01-TESTKEY-abcdefghijklmnopqrstuvwxyz0123456789"

_ENV_TO_CLEAR = (
    "CLAUDE_CONFIG_DIR", "CLAUDE_USAGE_CACHE_DIR", "CLAUDE_USAGE_API_URL", "ANTHROPIC_ADMIN_API_KEY",
    "CLAUDE_USAGE_EMAIL", "CLAUDE_PACE_MAKER_DIR", "NO_COLOR", "XDG_CACHE_HOME", "TMUX",
    "CLAUDE_USAGE_TTL", "CLAUDE_USAGE_CONSOLE_TTL", "CLAUDE_USAGE_PROFILE_TTL", "CLAUDE_USAGE_HTTP_TIMEOUT",
    "XDG_CONFIG_HOME", "CLAUDE_USAGE_CONFIG", "CLAUDE_USAGE_GLYPHS", "CLAUDE_USAGE_REFRESH_WAIT",
    "CLAUDE_USAGE_NOTIFY",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked ``long`` first (a stable sort): xdist hands out tests in this order, so the
    two-minute polling soak starts with the suite and overlaps it instead of ending it."""
    items.sort(key=lambda item: item.get_closest_marker("long") is None)


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A private HOME and cache dir for every test (also inherited by subprocesses)."""
    home = tmp_path / "home"
    (home / ".claude").mkdir(parents=True)
    for key in _ENV_TO_CLEAR:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("CLAUDE_USAGE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("CLAUDE_USAGE_API_URL", "http://127.0.0.1:9")  # dead port unless a test sets api
    monkeypatch.setenv("CLAUDE_USAGE_HTTP_TIMEOUT", "2")
    return dict(os.environ)


@pytest.fixture
def home() -> Path:
    return Path(os.environ["HOME"])


@pytest.fixture
def cache_dir() -> Path:
    return Path(os.environ["CLAUDE_USAGE_CACHE_DIR"])


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch):
    server = ApiServer()
    server.set("/api/oauth/usage", Reply(200, usage_body()))
    server.set("/api/oauth/profile", Reply(200, PROFILE_BODY))
    monkeypatch.setenv("CLAUDE_USAGE_API_URL", server.url)
    yield server
    server.close()


def write_credentials(home: Path, token: str = TOKEN, expires_in: float = 8 * 3600, **extra: Any) -> Path:
    """A Claude Code credentials file, 0600, as Claude Code writes it."""
    path = home / ".claude" / ".credentials.json"
    data: dict[str, Any] = {
        "claudeAiOauth": {
            "accessToken": token,
            "refreshToken": "sk-ant-ort01-REFRESH-should-never-be-used",
            "expiresAt": int((time.time() + expires_in) * 1000),
            "scopes": ["user:inference", "user:profile"],
            "subscriptionType": "max",
            "rateLimitTier": "default_claude_max_5x",
        }
    }
    data.update(extra)
    path.write_text(json.dumps(data))
    path.chmod(0o600)
    return path


@pytest.fixture
def logged_in(home: Path) -> Path:
    return write_credentials(home)


@pytest.fixture
def warm(api, home: Path):
    """Credentials and a warm cache: the loopback API says 78 % / 41 %."""
    write_credentials(home)
    r = fetch()
    assert r.returncode == 0, r.stderr
    return api
