"""Fixtures: every test gets its own HOME, Claude config dir, cache dir and loopback API.

Nothing here touches the real home directory or cache: ``isolated_env`` replaces HOME and
clears every ``XDG_*``, ``CLAUDE_*`` and ``ANTHROPIC_*`` variable (and the few others that
move a file we read or write), and subprocesses inherit that environment. ``guard`` (a plugin,
below) fails any test that writes outside its temp folders.
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

pytest_plugins = ["guard"]

try:  # Hypothesis keeps no example database: it would be written into the checkout
    from hypothesis import settings as _hypothesis_settings

    _hypothesis_settings.register_profile("suite", database=None)
    _hypothesis_settings.load_profile("suite")
except ImportError:  # pragma: no cover
    pass

TOKEN = "sk-ant-oat01-TESTTOKEN-abcdefghijklmnopqrstuvwxyz0123456789"
ADMIN_KEY = "sk-ant-admin01-TESTKEY-abcdefghijklmnopqrstuvwxyz0123456789"

_PREFIXES_TO_CLEAR = ("XDG_", "CLAUDE_", "ANTHROPIC_")
_ENV_TO_CLEAR = ("NO_COLOR", "TMUX", "TMUX_PANE", "STARSHIP_CONFIG", "STARSHIP_CACHE", "STARSHIP_SESSION_KEY",
                 "BASH_COMPLETION_USER_DIR", "ZDOTDIR", "PYTHONUSERBASE", "SWIFTBAR", "COLUMNS", "LINES")


def env_to_clear(env: dict[str, str] | os._Environ[str]) -> list[str]:
    """The variables a test must not inherit from the person running the suite."""
    return [k for k in env if k.startswith(_PREFIXES_TO_CLEAR) or k in _ENV_TO_CLEAR]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked ``long`` first (a stable sort): xdist hands out tests in this order, so the
    two-minute polling soak starts with the suite and overlaps it instead of ending it."""
    items.sort(key=lambda item: item.get_closest_marker("long") is None)


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A private HOME and cache dir for every test (also inherited by subprocesses)."""
    home = tmp_path / "home"
    (home / ".claude").mkdir(parents=True)
    for key in env_to_clear(os.environ):
        monkeypatch.delenv(key)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("CLAUDE_USAGE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("CLAUDE_USAGE_API_URL", "http://127.0.0.1:9")  # dead port unless a test sets api
    monkeypatch.setenv("CLAUDE_USAGE_STATUS_URL", "http://127.0.0.1:9")  # the status page too (``status_page``)
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
