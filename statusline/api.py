"""HTTP access to Anthropic's endpoints, every result mapped to a small set of typed outcomes.

Nothing here raises for an HTTP or network problem: callers get ``Ok`` or ``Failure`` and
decide on backoff. Messages are safe to store and show: secrets are redacted and bodies cut.
"""

from __future__ import annotations

import email.utils
import os
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import requests

from .model import ErrorKind

DEFAULT_BASE_URL = "https://api.anthropic.com"
USER_AGENT = "claude-code/{version}"  # the version the user runs: sources.claude_version
OAUTH_BETA = "oauth-2025-04-20"
ANTHROPIC_VERSION = "2023-06-01"

_SECRET = re.compile(r"sk-ant-[A-Za-z0-9_\-]+")


def redact(text: str) -> str:
    """Remove anything shaped like an Anthropic token or key, and cut to a sane length."""
    text = _SECRET.sub("sk-ant-…", text)
    return text if len(text) <= 200 else text[:199] + "…"


@dataclass(frozen=True)
class Ok:
    body: Any
    status: int = 200


@dataclass(frozen=True)
class Failure:
    kind: ErrorKind
    message: str
    status: int | None = None
    retry_after: float | None = None  # seconds, from a 429's Retry-After


Outcome = Ok | Failure


def base_url(env: Mapping[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    return (env.get("CLAUDE_USAGE_API_URL") or DEFAULT_BASE_URL).rstrip("/")


def timeouts(env: Mapping[str, str] | None = None) -> tuple[float, float]:
    """(connect, read) seconds; ``CLAUDE_USAGE_HTTP_TIMEOUT`` sets the read timeout."""
    env = os.environ if env is None else env
    try:
        read = float(env.get("CLAUDE_USAGE_HTTP_TIMEOUT") or 8.0)
    except ValueError:
        read = 8.0
    read = min(max(read, 0.2), 60.0)
    return (min(3.05, read), read)


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP-date); None if absent/garbled."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def _error_message(resp: requests.Response) -> str:
    try:
        body = resp.json()
    except ValueError:
        return ""
    err = body.get("error") if isinstance(body, dict) else None
    if isinstance(err, dict) and isinstance(err.get("message"), str):
        return err["message"]
    return ""


def classify(resp: requests.Response) -> Outcome:
    """Map one HTTP response to an outcome."""
    status = resp.status_code
    if 200 <= status < 300:
        try:
            return Ok(resp.json(), status)
        except ValueError:
            ctype = resp.headers.get("Content-Type", "unknown type").split(";")[0]
            return Failure("bad_response", f"HTTP {status} body is not JSON ({ctype})", status)
    detail = redact(_error_message(resp))
    suffix = f": {detail}" if detail else ""
    if status == 401:
        return Failure("auth_invalid", f"HTTP 401 credentials rejected{suffix}", status)
    if status == 403:
        kind: ErrorKind = "missing_scope" if "scope" in detail.lower() else "auth_invalid"
        return Failure(kind, f"HTTP 403 forbidden{suffix}", status)
    if status == 429:
        ra = parse_retry_after(resp.headers.get("Retry-After"))
        return Failure("rate_limited", f"HTTP 429 rate limited{suffix}", status, ra)
    if status >= 500:
        return Failure("server_error", f"HTTP {status} server error{suffix}", status)
    return Failure("bad_response", f"HTTP {status} unexpected{suffix}", status)


class Client:
    """A thin session wrapper: one place for base URL, timeouts and error mapping."""

    def __init__(self, env: Mapping[str, str] | None = None, session: requests.Session | None = None,
                 claude_version: str = "2.1.0"):
        self.base = base_url(env)
        self.user_agent = USER_AGENT.format(version=claude_version)
        self.timeout = timeouts(env)
        self.session = session or requests.Session()

    def get(self, path: str, headers: Mapping[str, str], params: Mapping[str, Any] | None = None) -> Outcome:
        url = self.base + path
        try:
            resp = self.session.get(
                url, headers=dict(headers), params=params, timeout=self.timeout, allow_redirects=False
            )
        except requests.Timeout:
            return Failure("network_error", f"no answer from {self.base} within {self.timeout[1]:g}s")
        except requests.ConnectionError:
            return Failure("network_error", f"cannot connect to {self.base}")
        except requests.RequestException as exc:
            return Failure("network_error", redact(f"request failed: {type(exc).__name__}"))
        try:
            return classify(resp)
        finally:
            resp.close()

    # Code mode (OAuth) -------------------------------------------------------------------
    def oauth_headers(self, token: str) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {token}",
            "anthropic-beta": OAUTH_BETA,
            "Content-Type": "application/json",
            "User-Agent": self.user_agent,
        }

    def usage(self, token: str) -> Outcome:
        return self.get("/api/oauth/usage", self.oauth_headers(token))

    def profile(self, token: str) -> Outcome:
        return self.get("/api/oauth/profile", self.oauth_headers(token))

    # Console mode (Admin API) ------------------------------------------------------------
    @staticmethod
    def admin_headers(key: str) -> dict[str, str]:
        return {
            "x-api-key": key,
            "anthropic-version": ANTHROPIC_VERSION,
            "User-Agent": "claude-usage-line",
        }

    def admin_get(self, key: str, path: str, params: Mapping[str, Any] | None = None) -> Outcome:
        return self.get(path, self.admin_headers(key), params)
