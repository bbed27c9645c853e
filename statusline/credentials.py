"""Find Claude Code's OAuth token and an Admin API key, and decide the mode.

Read-only by design: the credentials file and the Keychain entry belong to Claude Code. We
never refresh a token (refresh tokens rotate, so using one would log Claude Code out); we
re-read on every fetch and pick up whatever Claude Code refreshed.

Precedence for the mode (documented in the README):
``--mode`` > top-level ``"mode"`` in the credentials file > OAuth token (code) > Admin key
(console, from ``ANTHROPIC_ADMIN_API_KEY`` or ``anthropicConsole.adminApiKey``).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from . import clean, fastpaths
from .model import Mode, utc
from .paths import Paths

EXPIRY_BUFFER_S = 300.0
KEYCHAIN_SERVICE = "Claude Code-credentials"


@dataclass(frozen=True)
class OAuth:
    access_token: str = field(repr=False)
    expires_at: datetime | None = None
    scopes: tuple[str, ...] = ()
    subscription_type: str | None = None
    rate_limit_tier: str | None = None

    def expired(self, now: datetime) -> bool:
        """Expired, or within the 5-minute buffer of expiring."""
        return self.expires_at is not None and now.timestamp() >= self.expires_at.timestamp() - EXPIRY_BUFFER_S

    def fingerprint(self) -> str:
        return fingerprint(self.access_token)


@dataclass(frozen=True)
class Credentials:
    """What was found and where. ``source`` and ``problems`` are safe to print."""

    oauth: OAuth | None = None
    oauth_source: str | None = None
    admin_key: str | None = field(default=None, repr=False)
    admin_source: str | None = None
    mode_hint: Mode | None = None
    cred_sig: str | None = None
    problems: tuple[str, ...] = ()


def fingerprint(secret: str) -> str:
    """12 hex digits of sha256: identifies a token in the cache without revealing it."""
    return hashlib.sha256(secret.encode()).hexdigest()[:12]


def keychain_service(env: Mapping[str, str]) -> str:
    raw = env.get("CLAUDE_CONFIG_DIR")
    if raw:
        return f"{KEYCHAIN_SERVICE}-{hashlib.sha256(raw.encode()).hexdigest()[:8]}"
    return KEYCHAIN_SERVICE


def _decode_keychain(text: str) -> str:
    """Some macOS versions return the secret hex-encoded."""
    text = text.strip()
    if text and not text.startswith("{") and len(text) % 2 == 0:
        try:
            return bytes.fromhex(text).decode("utf-8")
        except ValueError:
            pass
    return text


Runner = Callable[..., "subprocess.CompletedProcess[str]"]


def read_keychain(env: Mapping[str, str], run: Runner = subprocess.run) -> tuple[dict[str, Any] | None, str | None]:
    """(parsed JSON, problem) from the macOS Keychain."""
    service = keychain_service(env)
    try:
        proc = run(
            ["security", "find-generic-password", "-s", service, "-w"],
            capture_output=True, text=True, timeout=3,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, f"Keychain lookup failed ({type(exc).__name__})"
    if proc.returncode != 0:
        return None, None  # not found: not a problem, just absent
    try:
        data = json.loads(_decode_keychain(proc.stdout))
    except ValueError:
        return None, f"Keychain item '{service}' is not valid JSON"
    return (data if isinstance(data, dict) else None), None


def _oauth_from(data: dict[str, Any]) -> OAuth | None:
    raw = data.get("claudeAiOauth")
    if not isinstance(raw, dict):
        return None
    token = raw.get("accessToken")
    if not isinstance(token, str) or not token:
        return None
    exp = raw.get("expiresAt")
    expires_at = None
    if isinstance(exp, (int, float)) and not isinstance(exp, bool) and exp > 0:
        # epoch milliseconds; tolerate seconds from other writers
        expires_at = utc(exp / 1000.0 if exp > 1e11 else float(exp))
    scopes = raw.get("scopes")
    return OAuth(
        access_token=token,
        expires_at=expires_at,
        scopes=tuple(s for s in scopes if isinstance(s, str)) if isinstance(scopes, list) else (),
        subscription_type=raw.get("subscriptionType") if isinstance(raw.get("subscriptionType"), str) else None,
        rate_limit_tier=raw.get("rateLimitTier") if isinstance(raw.get("rateLimitTier"), str) else None,
    )


def _read_json_file(path: os.PathLike[str] | str) -> tuple[dict[str, Any] | None, str | None]:
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except FileNotFoundError:
        return None, None
    except OSError as exc:
        return None, f"cannot read {path}: {exc.strerror}"
    except UnicodeDecodeError:
        return None, f"{path} is not UTF-8 text"
    try:
        data = json.loads(text)
    except ValueError as exc:
        return None, f"{path} is not valid JSON (line {getattr(exc, 'lineno', '?')}); run `claude` to log in again"
    if not isinstance(data, dict):
        return None, f"{path} does not hold a JSON object"
    return data, None


def load(
    paths: Paths,
    env: Mapping[str, str] | None = None,
    platform: str = sys.platform,
    run: Runner = subprocess.run,
) -> Credentials:
    """Read everything fresh. Never raises for bad input: problems are listed instead."""
    env = os.environ if env is None else env
    problems: list[str] = []
    cred_file = paths.credentials_file
    data, problem = _read_json_file(cred_file)
    if problem:
        problems.append(problem)
    oauth = _oauth_from(data) if data else None
    oauth_source = str(cred_file) if oauth else None
    if oauth is None and platform == "darwin":
        kc, kc_problem = read_keychain(env, run)
        if kc_problem:
            problems.append(kc_problem)
        if kc:
            oauth = _oauth_from(kc)
            if oauth:
                oauth_source = f"macOS Keychain ({keychain_service(env)})"
            if data is None:
                data = kc

    admin_key, admin_source = None, None
    env_key = env.get("ANTHROPIC_ADMIN_API_KEY")
    if env_key:
        admin_key, admin_source = env_key.strip(), "ANTHROPIC_ADMIN_API_KEY"
    elif data and isinstance(data.get("anthropicConsole"), dict):
        key = data["anthropicConsole"].get("adminApiKey")
        if isinstance(key, str) and key:
            admin_key, admin_source = key.strip(), f"{cred_file} (anthropicConsole.adminApiKey)"

    hint = data.get("mode") if data else None
    return Credentials(
        oauth=oauth,
        oauth_source=oauth_source,
        admin_key=admin_key,
        admin_source=admin_source,
        mode_hint=hint if hint in ("code", "console") else None,
        cred_sig=fastpaths.cred_sig(str(cred_file)),
        problems=tuple(problems),
    )


def resolve_mode(requested: str, creds: Credentials) -> Mode | None:
    """The mode to run in, or None when nothing usable was found."""
    if requested in ("code", "console"):
        return requested  # type: ignore[return-value]
    if creds.mode_hint:
        return creds.mode_hint
    if creds.oauth:
        return "code"
    if creds.admin_key:
        return "console"
    return None


def read_claude_json(paths: Paths) -> dict[str, Any] | None:
    """``~/.claude.json`` (Claude Code's, read-only), or None when absent or unreadable."""
    data, _ = _read_json_file(paths.claude_json)
    return data


def local_account(paths: Paths, data: dict[str, Any] | None = None) -> dict[str, str]:
    """``oauthAccount`` fields from ``~/.claude.json`` (email, organization, account uuid)."""
    if data is None:
        data = read_claude_json(paths)
    acct = data.get("oauthAccount") if data else None
    if not isinstance(acct, dict):
        return {}
    out = {}
    for src, dst in (("emailAddress", "email"), ("organizationName", "organization"), ("accountUuid", "account_uuid")):
        value = clean.text(acct.get(src), 120)
        if value:
            out[dst] = value
    return out
