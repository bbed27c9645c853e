"""HTTP access to Anthropic's endpoints, every result mapped to a small set of typed outcomes.

Nothing here raises for an HTTP or network problem: callers get ``Ok`` or ``Failure`` and
decide on backoff. Messages are safe to store and show: secrets are redacted (including the
exact token or key sent, should a server echo it back), control characters are cleaned and
bodies cut.

Every request is bounded three ways:

- **time**: ``CLAUDE_USAGE_HTTP_TIMEOUT`` bounds each wait on the socket, and a total deadline
  of twice that bounds the whole exchange (DNS, connect, headers and body), so a server that
  drips a byte every second cannot hold the fetch lock;
- **size**: the body is streamed and decompressed here, at most ``MAX_BODY`` bytes after
  decompression (a gzip bomb stops at 1 MiB);
- **place**: redirects are never followed.
"""

from __future__ import annotations

import email.utils
import json
import math
import os
import re
import threading
import time
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timezone
from typing import Any

import requests
import urllib3

from statusline.core import clean
from statusline.core.model import ErrorKind

DEFAULT_BASE_URL = "https://api.anthropic.com"
USER_AGENT = "claude-code/{version}"  # the version the user runs: sources.claude_version
OAUTH_BETA = "oauth-2025-04-20"
ANTHROPIC_VERSION = "2023-06-01"

MAX_BODY = 1 << 20  # bytes after decompression; real answers are a few KiB
MAX_RETRY_AFTER = 3600.0  # no server gets to silence us for more than an hour at a time
DEADLINE_FACTOR = 2.0  # total deadline = this x the read timeout
CHUNK = 65536

_SECRET = re.compile(r"sk-ant-[A-Za-z0-9_\-]+")
_SECRET_HEADERS = ("authorization", "x-api-key")


def redact(text: str, secrets: tuple[str, ...] = ()) -> str:
    """Remove anything shaped like an Anthropic token or key (and each of ``secrets``), and cut
    to a sane length."""
    for secret in secrets:
        if secret and len(secret) >= 8:
            text = text.replace(secret, "…")
    text = _SECRET.sub("sk-ant-…", text)
    return text if len(text) <= 200 else text[:199] + "…"


def safe_text(text: str, secrets: tuple[str, ...] = ()) -> str:
    """``redact`` then ``clean.text``: printable, bounded, secret-free ('' when nothing is left)."""
    return clean.text(redact(text, secrets)) or ""


@dataclass(frozen=True)
class Ok:
    body: Any
    status: int = 200


@dataclass(frozen=True)
class Failure:
    kind: ErrorKind
    message: str
    status: int | None = None
    retry_after: float | None = None  # seconds, from a 429's Retry-After, 0..MAX_RETRY_AFTER


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
    if not math.isfinite(read):
        read = 8.0
    read = min(max(read, 0.2), 60.0)
    return (min(3.05, read), read)


def total_deadline(env: Mapping[str, str] | None = None) -> float:
    """Seconds one whole request may take, from DNS to the last body byte."""
    return DEADLINE_FACTOR * timeouts(env)[1]


def parse_retry_after(value: Any, now: float | None = None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP-date), within 0..MAX_RETRY_AFTER.

    None when absent or garbled. Never raises: ``1e20`` and ``inf`` are capped at an hour,
    ``nan`` is garbage, a negative delta or a date in the past is 0, a date in 9999 is an hour.
    """
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not value or len(value) > 64:
        return None
    try:
        seconds = float(value)
    except (ValueError, OverflowError):
        seconds = None
    if seconds is None:
        try:
            when = email.utils.parsedate_to_datetime(value)
            if when.tzinfo is None:
                when = when.replace(tzinfo=timezone.utc)
            seconds = when.timestamp() - (time.time() if now is None else now)
        except (TypeError, ValueError, IndexError, OverflowError, OSError):
            return None
    if seconds != seconds:  # NaN
        return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def header_problem(headers: Mapping[str, str]) -> str | None:
    """Why these request headers cannot be sent (a token with non-Latin-1 or control
    characters), naming the header but never its value; None when they can."""
    for name, value in headers.items():
        if not isinstance(value, str):
            return f"the {name} header is not text"
        try:
            value.encode("latin-1")
        except UnicodeEncodeError:
            what = "token or key" if name.lower() in _SECRET_HEADERS else f"{name} header"
            return f"the {what} holds characters an HTTP header cannot carry (not Latin-1)"
        if any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
            what = "token or key" if name.lower() in _SECRET_HEADERS else f"{name} header"
            return f"the {what} holds control characters"
    return None


def _secrets(headers: Mapping[str, str]) -> tuple[str, ...]:
    out = []
    for name, value in headers.items():
        if name.lower() in _SECRET_HEADERS and isinstance(value, str):
            out.append(value)
            if value.lower().startswith("bearer "):
                out.append(value[7:].strip())
    return tuple(out)


def _loads(body: bytes) -> Any:
    """Strict-enough JSON: NaN/Infinity become None; raises ValueError for anything unreadable."""
    try:
        return json.loads(body, parse_constant=lambda _c: None)
    except RecursionError as exc:
        raise ValueError("JSON nested too deeply") from exc


def _error_message(body: bytes) -> str:
    try:
        doc = _loads(body)
    except ValueError:
        return ""
    err = doc.get("error") if isinstance(doc, dict) else None
    if isinstance(err, dict) and isinstance(err.get("message"), str):
        return err["message"]
    return ""


def classify(status: int, headers: Mapping[str, str], body: bytes,
             secrets: tuple[str, ...] = (), now: float | None = None) -> Outcome:
    """Map one HTTP answer (status, headers, the whole body) to an outcome."""
    if 200 <= status < 300:
        try:
            return Ok(_loads(body), status)
        except ValueError:
            ctype = safe_text(str(headers.get("Content-Type") or "unknown type").split(";")[0], secrets)
            return Failure("bad_response", f"HTTP {status} body is not JSON ({ctype or 'unknown type'})", status)
    detail = safe_text(_error_message(body), secrets)

    def said(sentence: str, *already: str) -> str:
        """The sentence, then the server's own words unless they only say it again."""
        low = detail.lower()
        if not detail or any(w in low for w in already):
            return sentence
        return f"{sentence}: {detail.rstrip('.')}"

    if status == 401:
        return Failure("auth_invalid", said("the API rejected the credentials (HTTP 401)"), status)
    if status == 403:
        kind: ErrorKind = "missing_scope" if "scope" in detail.lower() else "auth_invalid"
        return Failure(kind, said("the API refused access (HTTP 403)"), status)
    if status == 429:
        ra = parse_retry_after(headers.get("Retry-After"), now)
        return Failure("rate_limited", said("the API is rate limiting this login (HTTP 429)", "rate limit",
                                            "try again later", "too many requests"), status, ra)
    if status >= 500:
        return Failure("server_error", said(f"the API failed (HTTP {status})", "internal server error"), status)
    return Failure("bad_response", said(f"the API answered HTTP {status}, which was not expected"), status)


class _TooBig(Exception):
    pass


class _Late(Exception):
    pass


def read_body(raw: Any, encoding: str | None, end: float, limit: int = MAX_BODY) -> bytes:
    """The decoded body from a urllib3 response, read a chunk at a time.

    Raises ``_Late`` past the monotonic deadline ``end``, ``_TooBig`` past ``limit`` bytes
    after decompression, ``ValueError`` for an encoding we cannot decode, and urllib3/OS
    errors for a broken connection.
    """
    enc = (encoding or "").strip().lower()
    if enc in ("", "identity"):
        dec = None
    elif enc in ("gzip", "x-gzip", "deflate"):
        dec = zlib.decompressobj(wbits=47)  # gzip or zlib header, detected
    else:
        raise ValueError(f"unsupported Content-Encoding {safe_text(enc)[:40]}")
    out = bytearray()
    # urllib3 >= 2 returns what one socket read brings (so the deadline is checked between
    # bytes of a drip); older urllib3 blocks for a whole chunk, and the caller's total
    # deadline (``Client.get``) still holds.
    read = getattr(raw, "read1", None) or raw.read
    while True:
        if time.monotonic() > end:
            raise _Late()
        chunk = read(CHUNK, decode_content=False)
        if not chunk:
            break
        if dec is None:
            out += chunk
        elif not dec.eof:
            try:
                out += dec.decompress(chunk, limit + 1 - len(out))
            except zlib.error as exc:
                raise ValueError("body could not be decompressed") from exc
            if dec.unconsumed_tail:
                raise _TooBig()
        if len(out) > limit:
            raise _TooBig()
    if dec is not None and not dec.eof:
        try:
            out += dec.flush()
        except zlib.error as exc:
            raise ValueError("body could not be decompressed") from exc
    if len(out) > limit:
        raise _TooBig()
    return bytes(out)


class Client:
    """A thin session wrapper: one place for base URL, timeouts, limits and error mapping."""

    def __init__(self, env: Mapping[str, str] | None = None, session: requests.Session | None = None,
                 claude_version: str = "2.1.0", base: str | None = None):
        self.base = base or base_url(env)
        self.user_agent = USER_AGENT.format(version=claude_version)
        self.timeout = timeouts(env)
        self.deadline = total_deadline(env)
        self.session = session or requests.Session()

    def get(self, path: str, headers: Mapping[str, str], params: Mapping[str, Any] | None = None) -> Outcome:
        """One GET, bounded in time and size; an ``Outcome`` whatever happens."""
        problem = header_problem(headers)
        if problem:
            return Failure("auth_invalid", f"{problem}: run `claude` to log in again")
        headers = {"Accept-Encoding": "gzip, deflate", **headers}
        secrets = _secrets(headers)
        end = time.monotonic() + self.deadline
        box: dict[str, Outcome] = {}
        worker = threading.Thread(target=self._exchange, args=(path, headers, params, end, secrets, box),
                                  name="claude-usage-http", daemon=True)
        worker.start()
        worker.join(max(0.0, end - time.monotonic()) + 0.2)
        if "outcome" not in box:
            # Still talking (a dripping or stalled server): give up on it. The daemon thread
            # stops at its next read; the process never waits for it.
            return Failure("network_error", f"no complete answer from {self.base} within {self.deadline:g}s")
        return box["outcome"]

    def _exchange(self, path: str, headers: Mapping[str, str], params: Mapping[str, Any] | None,
                  end: float, secrets: tuple[str, ...], box: dict[str, Outcome]) -> None:
        try:
            box["outcome"] = self._request(path, headers, params, end, secrets)
        except Exception as exc:  # noqa: BLE001 - a thread must hand back an outcome, never die silently
            box["outcome"] = Failure("network_error", safe_text(f"request failed: {type(exc).__name__}", secrets))

    def _request(self, path: str, headers: Mapping[str, str], params: Mapping[str, Any] | None,
                 end: float, secrets: tuple[str, ...]) -> Outcome:
        url = self.base + path
        try:
            resp = self.session.get(url, headers=dict(headers), params=params, timeout=self.timeout,
                                    allow_redirects=False, stream=True)
        except requests.Timeout:
            return Failure("network_error", f"no answer from {self.base} within {self.timeout[1]:g}s")
        except requests.ConnectionError as exc:
            if "reset" in str(exc).lower() or "aborted" in str(exc).lower():
                return Failure("network_error", f"connection to {self.base} was reset")
            return Failure("network_error", f"cannot connect to {self.base}")
        except (requests.RequestException, ValueError) as exc:
            return Failure("network_error", safe_text(f"request failed: {type(exc).__name__}", secrets))
        try:
            body = read_body(resp.raw, resp.headers.get("Content-Encoding"), end)
        except _Late:
            return Failure("network_error", f"answer from {self.base} took longer than {self.deadline:g}s")
        except _TooBig:
            return Failure("bad_response", f"HTTP {resp.status_code} body larger than {MAX_BODY >> 20} MiB",
                           resp.status_code)
        except ValueError as exc:
            return Failure("bad_response", safe_text(f"HTTP {resp.status_code} {exc}", secrets), resp.status_code)
        except (urllib3.exceptions.HTTPError, requests.RequestException, OSError) as exc:
            if "timed out" in str(exc).lower() or "timeout" in type(exc).__name__.lower():
                return Failure("network_error", f"no answer from {self.base} within {self.timeout[1]:g}s")
            return Failure("network_error", f"connection to {self.base} broke during the answer")
        finally:
            resp.close()
        return classify(resp.status_code, resp.headers, body, secrets)

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
