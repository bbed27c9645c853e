"""Find Claude Code's OAuth token and an Admin API key, and decide the mode.

Read-only by design: the credentials file and the Keychain entry belong to Claude Code. We
never refresh a token (refresh tokens rotate, so using one would log Claude Code out); we
re-read on every fetch and pick up whatever Claude Code refreshed.

Precedence for the mode (documented in docs/modes.md):
``--mode`` > top-level ``"mode"`` in the credentials file > OAuth token (code) > Admin key
(console, from ``ANTHROPIC_ADMIN_API_KEY`` or ``anthropicConsole.adminApiKey``).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from statusline.cache import fastpaths, safefiles
from statusline.cache.paths import Paths
from statusline.core import clean
from statusline.core.model import Mode, utc

EXPIRY_BUFFER_S = 300.0
KEYCHAIN_SERVICE = "Claude Code-credentials"
CREDENTIALS_LIMIT = 1 << 20  # a credentials file is well under 1 KiB
CLAUDE_JSON_LIMIT = 64 << 20  # ~/.claude.json keeps Claude Code's project history: it grows
SECRET_MAX = 4096


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
KEYCHAIN_TIMEOUT_S = 3.0
KEYCHAIN_LIMIT = 1 << 16


def bounded_run(argv: list[str], *, timeout: float = KEYCHAIN_TIMEOUT_S, **_: Any) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` with no stdin, its stdout captured, for at most ``timeout`` seconds and
    ``KEYCHAIN_LIMIT`` bytes (``cache/children``: an answer that never ends is cut and its group
    killed; one whose child keeps the pipe open is read when ``security`` itself exits). On time
    ``TimeoutExpired`` is raised. The output stays in memory: a secret never touches disk."""
    from statusline.cache import children

    done = children.run(argv, timeout=timeout, limit=KEYCHAIN_LIMIT)
    if done.timed_out:
        raise subprocess.TimeoutExpired(argv, timeout)
    status = 1 if done.cut or done.status is None else done.status  # cut: no answer of Claude Code's
    return subprocess.CompletedProcess(argv, status, done.out.decode("utf-8", "replace"), "")


def platform_of(env: Mapping[str, str]) -> str:
    """``sys.platform``, or the tests' ``CLAUDE_USAGE_PLATFORM`` seam (``cache_view.platform``:
    the line and the fetcher must agree on whether the Keychain is there)."""
    from statusline.cache import cache_view

    return str(cache_view.platform(env))


def read_keychain(env: Mapping[str, str], run: Runner | None = None) -> tuple[dict[str, Any] | None, str | None]:
    """(parsed JSON, problem) from the macOS Keychain, through ``security ... -w`` (bounded by
    ``KEYCHAIN_TIMEOUT_S``; the secret is parsed in memory, never written anywhere)."""
    service = keychain_service(env)
    run = bounded_run if run is None else run
    try:
        proc = run(
            ["security", "find-generic-password", "-s", service, "-w"],
            capture_output=True, text=True, timeout=KEYCHAIN_TIMEOUT_S,
        )
    except subprocess.TimeoutExpired:
        return None, f"Keychain lookup timed out after {KEYCHAIN_TIMEOUT_S:g}s (`security` did not answer)"
    except OSError as exc:
        return None, f"Keychain lookup failed ({type(exc).__name__})"
    if proc.returncode != 0:
        return None, None  # not found: not a problem, just absent
    try:
        data = json.loads(_decode_keychain(proc.stdout or ""), parse_constant=lambda _c: None)
    except (ValueError, RecursionError):
        return None, f"Keychain item '{service}' is not valid JSON"
    if not isinstance(data, dict):
        return None, f"Keychain item '{service}' does not hold a JSON object"
    return data, None


def secret_problem(secret: str) -> str | None:
    """Why a token or key cannot be sent as an HTTP header value (never quoting it), or None."""
    if len(secret) > SECRET_MAX:
        return f"is {len(secret)} characters long, far longer than any real one"
    try:
        secret.encode("latin-1")
    except UnicodeEncodeError:
        return "holds characters an HTTP header cannot carry (not Latin-1)"
    if any(ord(c) < 0x21 or ord(c) == 0x7F for c in secret):
        return "holds spaces or control characters"
    return None


def _oauth_from(
    data: dict[str, Any], where: str = "the credentials", problems: list[str] | None = None
) -> OAuth | None:
    """The OAuth entry, or None. Problems (an unusable token, a garbled expiry) are appended
    to ``problems`` as sentences that never quote the token."""
    problems = [] if problems is None else problems
    raw = data.get("claudeAiOauth")
    if not isinstance(raw, dict):
        return None
    token = raw.get("accessToken")
    if not isinstance(token, str) or not token.strip():
        return None
    token = token.strip()
    bad = secret_problem(token)
    if bad:
        problems.append(f"the OAuth token in {where} {bad}; run `claude` to log in again")
        return None
    exp = raw.get("expiresAt")
    # epoch milliseconds; seconds from other writers tolerated; anything implausible is unknown
    seconds = clean.epoch(exp)
    expires_at = utc(seconds) if seconds is not None else None
    if exp is not None and seconds is None:
        problems.append(f"the token expiry (expiresAt) in {where} is not a usable time; "
                        "treating it as unknown (running `claude` rewrites it)")
    scopes = raw.get("scopes")
    return OAuth(
        access_token=token,
        expires_at=expires_at,
        scopes=tuple(t for t in (clean.text(s, 80) for s in scopes[:64]) if t) if isinstance(scopes, list) else (),
        subscription_type=clean.text(raw.get("subscriptionType"), 80),
        rate_limit_tier=clean.text(raw.get("rateLimitTier"), 80),
    )


def _read_json_file(
    path: os.PathLike[str] | str, limit: int = CREDENTIALS_LIMIT, private: bool = False
) -> tuple[dict[str, Any] | None, str | None]:
    """(object, problem) from a JSON file of Claude Code's. Only a regular file is read (a FIFO
    would hang us; links are followed, dotfile managers make them), at most ``limit`` bytes.
    With ``private``, a file others can read is reported (the data is still used)."""
    seen: list[os.stat_result] = []
    try:
        raw = safefiles.read_regular(str(path), limit, follow=True, seen=seen)
    except (FileNotFoundError, NotADirectoryError):
        return None, None
    except OSError as exc:
        if seen and not safefiles.is_regular(seen[0]):
            return None, f"{path} is not a regular file (a FIFO, a device or a directory); remove it"
        return None, f"cannot read {path}: {exc.strerror or exc}"
    warning = None
    if private and seen and seen[0].st_mode & 0o077:
        warning = (f"{path} is readable by other users (mode {seen[0].st_mode & 0o777:03o}): "
                   f"run `chmod 600 {path}`")
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=lambda _c: None)
    except UnicodeDecodeError:
        return None, f"{path} is not UTF-8 text"
    except RecursionError:
        return None, f"{path} is not valid JSON (nested too deeply); run `claude` to log in again"
    except ValueError as exc:
        return None, f"{path} is not valid JSON (line {getattr(exc, 'lineno', '?')}); run `claude` to log in again"
    if not isinstance(data, dict):
        return None, f"{path} does not hold a JSON object"
    return data, warning


def load(
    paths: Paths,
    env: Mapping[str, str] | None = None,
    platform: str | None = None,
    run: Runner | None = None,
) -> Credentials:
    """Read everything fresh. Never raises for bad input: problems are listed instead."""
    env = os.environ if env is None else env
    platform = platform_of(env) if platform is None else platform
    problems: list[str] = []
    cred_file = paths.credentials_file
    data, problem = _read_json_file(cred_file, private=True)
    if problem:
        problems.append(problem)
    oauth = _oauth_from(data, str(cred_file), problems) if data else None
    oauth_source = str(cred_file) if oauth else None
    if oauth is None and platform == "darwin":
        kc, kc_problem = read_keychain(env, run)
        if kc_problem:
            problems.append(kc_problem)
        if kc:
            oauth = _oauth_from(kc, "the macOS Keychain", problems)
            if oauth:
                oauth_source = f"macOS Keychain ({keychain_service(env)})"
            if data is None:
                data = kc

    admin_key, admin_source = None, None
    env_key = env.get("ANTHROPIC_ADMIN_API_KEY")
    if env_key and env_key.strip():
        admin_key, admin_source = env_key.strip(), "ANTHROPIC_ADMIN_API_KEY"
    elif data and isinstance(data.get("anthropicConsole"), dict):
        key = data["anthropicConsole"].get("adminApiKey")
        if isinstance(key, str) and key.strip():
            admin_key, admin_source = key.strip(), f"{cred_file} (anthropicConsole.adminApiKey)"
    if admin_key is not None:
        bad = secret_problem(admin_key)
        if bad:
            problems.append(f"the Admin API key from {admin_source} {bad}")
            admin_key, admin_source = None, None

    hint = data.get("mode") if data else None
    return Credentials(
        oauth=oauth,
        oauth_source=oauth_source,
        admin_key=admin_key,
        admin_source=admin_source,
        mode_hint=hint if hint in ("code", "console") else None,
        cred_sig=fastpaths.auth_sig(str(paths.config_dir), env),
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
    data, _ = _read_json_file(paths.claude_json, CLAUDE_JSON_LIMIT)
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
