"""The one owner of locations for the fetcher, the panel and doctor.

Every location can be moved by the environment, which is also the tests' seam:
``CLAUDE_USAGE_CACHE_DIR`` moves the cache, ``CLAUDE_CONFIG_DIR`` Claude Code's files,
``CLAUDE_PACE_MAKER_DIR`` Pace Maker's, ``HOME`` all of the defaults.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from statusline.cache import fastpaths


@dataclass(frozen=True)
class Paths:
    home: Path
    config_dir: Path
    cache_root: Path
    pace_maker_dir: Path
    claude_json: Path  # ~/.claude.json, or $CLAUDE_CONFIG_DIR/.claude.json when the dir is moved

    @property
    def credentials_file(self) -> Path:
        return self.config_dir / ".credentials.json"

    @property
    def settings_file(self) -> Path:
        return self.config_dir / "settings.json"

    def account_dir(self, mode: str) -> Path:
        return Path(fastpaths.account_dir(str(self.cache_root), str(self.config_dir), mode))


def resolve(env: Mapping[str, str] | None = None) -> Paths:
    """Compute every location from an environment (``os.environ`` by default)."""
    env = os.environ if env is None else env
    home = Path(env.get("HOME") or os.path.expanduser("~"))
    root = Path(fastpaths.cache_root(env))  # one rule for the hot path and the rest
    pm = fastpaths.absolute(env.get("CLAUDE_PACE_MAKER_DIR"))
    config_dir = Path(fastpaths.config_dir(env))
    return Paths(
        home=home,
        config_dir=config_dir,
        cache_root=root,
        pace_maker_dir=Path(pm) if pm else home / ".claude-pace-maker",
        claude_json=config_dir / ".claude.json" if env.get("CLAUDE_CONFIG_DIR") else home / ".claude.json",
    )
