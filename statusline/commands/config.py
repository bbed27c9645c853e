"""``claude-usage config``: every setting with its value and where it came from.

The settings themselves (config.toml, the environment, their problems and fixes) are
``cache/config``'s; this module only prints them, through the terminal's door: an
environment value can hold controls, and doctor escapes the same values.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from statusline.cache import fastpaths
from statusline.cache.config import ENV, KEYS, Settings, default_path, load, signature
from statusline.render.dialects import escape


def _show(value: Any) -> str:
    """A value as config.toml would spell it: true/false, a number, a quoted string, a list."""
    if value is None:
        return "(unset)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, tuple):
        return "[" + ", ".join(_show(v) if not isinstance(v, str) else f'"{v}"' for v in value) + "]"
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)


NOTIFY_ENV = "CLAUDE_USAGE_NOTIFY"
DEFAULT_API_URL = "https://api.anthropic.com"  # the fetcher's own default (fetch.api.DEFAULT_BASE_URL)


def _notify_row(settings: Settings, env: Mapping[str, str]) -> tuple[str, str]:
    """(value, origin) of notify.at: notifications are opt-in, so the default is off."""
    raw = env.get(NOTIFY_ENV)
    if raw:
        return raw, f"env {NOTIFY_ENV}"
    if settings.origin("notify.at") == "file":
        return _show(settings.notify_at), "file"
    return "off", f"default; turn on with [notify] at = [80, 95] in config.toml, or {NOTIFY_ENV}=80,95"


def _path_rows(env: Mapping[str, str]) -> list[tuple[str, str, str]]:
    """The environment variables that choose where things are: name, effective value, origin."""
    rows = []
    for name, value in (("CLAUDE_USAGE_API_URL", (env.get("CLAUDE_USAGE_API_URL") or DEFAULT_API_URL).rstrip("/")),
                        ("CLAUDE_USAGE_CACHE_DIR", fastpaths.cache_root(env)),
                        ("CLAUDE_CONFIG_DIR", fastpaths.config_dir(env)),
                        ("CLAUDE_USAGE_CONFIG", str(default_path(env)))):
        rows.append((name, f'"{value}"', "env" if env.get(name) else "default"))
    return rows


def describe(settings: Settings, env: Mapping[str, str] | None = None) -> list[str]:
    """The lines ``claude-usage config`` prints: the file, each key, its value and its origin, then the
    variables that choose paths, in the same columns."""
    env = os.environ if env is None else env
    sig = signature(settings.path)
    state = "found" if sig else "not found: every value is a default or from the environment"
    out = [f"config file: {settings.path} ({state})"]
    rows: list[tuple[str, str, str]] = []
    for key in KEYS:
        if key == "notify.at":
            value, where = _notify_row(settings, env)
        else:
            origin = settings.origin(key)
            value = _show(settings.value(key))
            where = {"default": "default", "file": "file"}.get(origin) or f"env {ENV.get(key, '')}".strip()
        rows.append((key, value, where))
    paths = _path_rows(env)
    width = max(len(k) for k, _, _ in rows + paths)
    out += [f"  {k:<{width}} = {v:<40} ({w})" for k, v, w in rows]
    out.append("paths and addresses (environment only):")
    out += [f"  {k:<{width}} = {v:<40} ({w})" for k, v, w in paths]
    for note in settings.clamped:
        out.append(f"note: {note}")
    for problem in settings.problems:
        out.append(f"problem: {problem}")
    return out


def run(env: Mapping[str, str] | None = None) -> int:
    settings = load(env=env)
    for text in describe(settings, env):
        print(escape(text, "ansi"))
    return 1 if settings.problems else 0
