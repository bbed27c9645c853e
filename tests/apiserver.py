"""A real HTTP server on 127.0.0.1 that plays Anthropic's endpoints for the tests.

Each route holds a queue of canned replies; the last one repeats. Every request is logged
(path, query, headers) so tests can count exactly what reached "the API".

Besides well-formed answers a reply can misbehave the way real servers and networks do:
``delay`` (hang before answering), ``drip`` (the body one byte at a time), ``gzip`` (a
compressed body, e.g. a bomb from ``gzip_bomb``), ``truncate`` (fewer bytes than the
Content-Length promised, then close), ``reset`` (a TCP reset instead of an answer).
``gate`` holds the answer until the test opens it: a test that needs a request in flight
while it does something else opens the gate when it is done, instead of betting on a delay.
"""

from __future__ import annotations

import functools
import gzip as gziplib
import json
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import parse_qs, urlsplit

GATE_LIMIT = 60.0  # a gate nobody opens still answers after this long


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # dict/list -> JSON; str -> sent as is
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to hang before answering
    content_type: str = "application/json"
    drip: float = 0.0  # > 0: send the body one byte at a time, this many seconds apart
    gzip: bool = False  # body (bytes or text) is sent as is with Content-Encoding: gzip
    truncate: int | None = None  # send only this many body bytes, then close the connection
    reset: bool = False  # answer nothing: reset the TCP connection
    drip_headers: bool = False  # with ``drip``: the status line and headers dripped too
    gate: threading.Event | None = None  # hold the answer until the test sets it (no race on a delay)


@dataclass
class Request:
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    at: float


class ApiServer:
    def __init__(self) -> None:
        self.routes: dict[str, list[Reply] | Callable[[Request], Reply]] = {}
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        self._gates: list[threading.Event] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

            def do_GET(self) -> None:  # noqa: N802
                parts = urlsplit(self.path)
                req = Request(parts.path, parse_qs(parts.query), dict(self.headers.items()), time.time())
                with server._lock:
                    server.requests.append(req)
                    route = server.routes.get(parts.path)
                    if callable(route):
                        reply = route(req)
                    elif route:
                        reply = route.pop(0) if len(route) > 1 else route[0]
                    else:
                        reply = Reply(404, {"type": "error", "error": {"type": "not_found_error", "message": "no route"}})
                if reply.gate is not None:
                    reply.gate.wait(GATE_LIMIT)
                if reply.delay:
                    time.sleep(reply.delay)
                if reply.reset:
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.close_connection = True
                    self.connection.close()
                    return
                body = reply.body
                if isinstance(body, bytes):
                    data = body
                else:
                    data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
                if reply.drip and reply.drip_headers:
                    head = (f"HTTP/1.1 {reply.status} OK\r\nContent-Type: {reply.content_type}\r\n"
                            f"Content-Length: {len(data)}\r\n\r\n").encode()
                    try:
                        for i in range(len(head)):
                            self.wfile.write(head[i:i + 1])
                            self.wfile.flush()
                            time.sleep(reply.drip)
                        self.wfile.write(data)
                    except (BrokenPipeError, ConnectionResetError):
                        pass
                    self.close_connection = True
                    return
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", reply.content_type)
                    self.send_header("Content-Length", str(len(data)))
                    if reply.gzip:
                        self.send_header("Content-Encoding", "gzip")
                    for k, v in reply.headers.items():
                        self.send_header(k, v)
                    self.end_headers()
                    if reply.truncate is not None:
                        self.wfile.write(data[: reply.truncate])
                        self.wfile.flush()
                        self.close_connection = True
                    elif reply.drip:
                        for i in range(len(data)):
                            self.wfile.write(data[i:i + 1])
                            self.wfile.flush()
                            time.sleep(reply.drip)
                    else:
                        self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        class Server(ThreadingHTTPServer):
            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # a client that gave up (deadline, reset) is what some tests are about

        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()

    def set(self, path: str, *replies: Reply) -> None:
        with self._lock:
            self.routes[path] = list(replies)
            self._gates.extend(r.gate for r in replies if r.gate is not None)

    def set_handler(self, path: str, fn: Callable[[Request], Reply]) -> None:
        with self._lock:
            self.routes[path] = fn

    def count(self, path: str) -> int:
        with self._lock:
            return sum(1 for r in self.requests if r.path == path)

    def close(self) -> None:
        for gate in self._gates:  # a test that failed before opening its gate leaves no client hanging
            gate.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def usage_body(five: float | None = 78.0, seven: float | None = 41.0, *, now: float | None = None,
               five_reset_in: float = 6000.0, seven_reset_in: float = 3 * 86400.0, **extra: Any) -> dict[str, Any]:
    """Today's /api/oauth/usage shape, with resets relative to ``now``."""
    from datetime import datetime, timezone

    now = time.time() if now is None else now

    def iso(t: float) -> str:
        return datetime.fromtimestamp(t, tz=timezone.utc).isoformat()

    def win(u: float | None, dt: float) -> dict[str, Any] | None:
        if u is None:
            return None
        return {"utilization": u, "resets_at": iso(now + dt), "limit_dollars": None,
                "used_dollars": None, "remaining_dollars": None, "locked_reason": None}

    body: dict[str, Any] = {
        "five_hour": win(five, five_reset_in),
        "seven_day": win(seven, seven_reset_in),
        "seven_day_oauth_apps": None,
        "seven_day_opus": None,
        "seven_day_sonnet": None,
        "iguana_necktie": None,
        "extra_usage": {"is_enabled": False, "monthly_limit": 4000, "used_credits": 1234,
                        "utilization": 30.8, "currency": "USD", "decimal_places": 2},
    }
    body.update(extra)
    return body


PROFILE_BODY = {
    "account": {"uuid": "acc-1111", "full_name": "Ada Lovelace", "display_name": "Ada",
                "email": "ada@example.com", "has_claude_max": True, "has_claude_pro": False},
    "organization": {"uuid": "org-1", "name": "Analytical Engines", "organization_type": "claude_max",
                     "billing_type": "stripe_subscription", "rate_limit_tier": "default_claude_max_5x"},
}


@functools.lru_cache(maxsize=4)
def gzip_bomb(inflated: int = 256 << 20) -> bytes:
    """A gzip body of ~``inflated`` bytes of JSON-looking text that compresses ~1000:1."""
    co = gziplib.compress  # one member: real servers send one
    chunk = b"[" + b" " * ((1 << 20) - 1)
    return co(chunk + b" " * (inflated - len(chunk)), compresslevel=9)


USERS_PATH = "/v1/organizations/users"


def users_handler(emails: list[str], per_page: int = 2) -> Callable[[Request], Reply]:
    """The Admin API's organization users, paginated as it does (``limit``, ``after_id``,
    ``has_more``, ``last_id``): a route for ``ApiServer.set_handler(USERS_PATH, ...)``."""
    people = [{"type": "user", "id": f"user_{i:03d}", "email": e, "name": e.split("@")[0], "role": "user",
               "added_at": "2025-01-01T00:00:00Z"} for i, e in enumerate(emails)]

    def handle(req: Request) -> Reply:
        after = req.query.get("after_id", [None])[0]
        limit = min(int(req.query.get("limit", ["20"])[0]), per_page)
        start = next((i + 1 for i, p in enumerate(people) if p["id"] == after), 0)
        page = people[start:start + limit]
        return Reply(200, {"data": page, "has_more": start + limit < len(people),
                           "first_id": page[0]["id"] if page else None, "last_id": page[-1]["id"] if page else None})

    return handle
