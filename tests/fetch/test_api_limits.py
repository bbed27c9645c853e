"""The HTTP client's bounds, in-process against the loopback server: time, size, place, text."""

from __future__ import annotations

import gzip
import json
import time

import pytest
from apiserver import ApiServer, Reply, gzip_bomb, usage_body

from statusline.core import clean
from statusline.fetch import api

SECRET = "sk-ant-oat01-SECRET-abcdefghijklmnop"
HEADERS = {"Authorization": f"Bearer {SECRET}"}


@pytest.fixture
def server():
    s = ApiServer()
    yield s
    s.close()


def client(server: ApiServer, timeout: str = "1") -> api.Client:
    return api.Client({"CLAUDE_USAGE_API_URL": server.url, "CLAUDE_USAGE_HTTP_TIMEOUT": timeout})


def dripped_for(reply: Reply) -> float:
    """How long the dripping reply would take to the end."""
    return reply.drip * len(json.dumps(reply.body))


def ask(server: ApiServer, reply: Reply, timeout: str = "1") -> tuple[api.Outcome, float]:
    server.set("/x", reply)
    t = time.monotonic()
    out = client(server, timeout).get("/x", HEADERS)
    return out, time.monotonic() - t


@pytest.mark.parametrize("value,expected", [
    ("0", 0.0), ("120", 120.0), (" 30 ", 30.0), ("1e20", 3600.0), ("inf", 3600.0), ("999999999", 3600.0),
    ("-5", 0.0), ("-inf", 0.0), ("nan", None), ("garbage", None), ("", None), (None, None), (12, None),
    ("Fri, 31 Dec 9999 23:59:59 GMT", 3600.0), ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0), ("1" * 400, None),
])
def test_retry_after_is_bounded_and_never_raises(value, expected):
    assert api.parse_retry_after(value, now=1.7e9) == expected


def test_retry_after_http_date_in_the_near_future():
    now = 1.7e9
    when = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(now + 300))
    assert api.parse_retry_after(when, now=now) == pytest.approx(300, abs=1)


def test_total_deadline_beats_a_dripping_body(server):
    reply = Reply(200, usage_body(), drip=0.4)
    out, took = ask(server, reply)
    assert isinstance(out, api.Failure) and out.kind == "network_error"
    assert took < dripped_for(reply) / 2, took  # each byte beats the read timeout: only a total deadline ends it


def test_total_deadline_beats_dripping_headers(server):
    reply = Reply(200, usage_body(), drip=0.4, drip_headers=True)
    out, took = ask(server, reply)
    assert isinstance(out, api.Failure) and out.kind == "network_error"
    assert took < dripped_for(reply) / 2, took  # each byte beats the read timeout: only a total deadline ends it


def test_decompressed_body_is_capped(server):
    out, took = ask(server, Reply(200, gzip_bomb(64 << 20), gzip=True))
    assert isinstance(out, api.Failure) and out.kind == "bad_response" and "1 MiB" in out.message
    plain, _ = ask(server, Reply(200, "[" + " " * (api.MAX_BODY + 10) + "]"))
    assert isinstance(plain, api.Failure) and "1 MiB" in plain.message


def test_small_gzip_and_plain_bodies_are_read(server):
    out, _ = ask(server, Reply(200, gzip.compress(b'{"five_hour": null}'), gzip=True))
    assert out == api.Ok({"five_hour": None})
    out, _ = ask(server, Reply(200, '{"n": NaN, "i": Infinity}'))
    assert out == api.Ok({"n": None, "i": None}), "NaN and Infinity never enter as numbers"


def test_redirects_are_not_followed(server):
    out, _ = ask(server, Reply(302, "", {"Location": server.url + "/elsewhere"}))
    assert isinstance(out, api.Failure) and out.status == 302
    assert server.count("/elsewhere") == 0


@pytest.mark.parametrize("reply,kind", [
    (Reply(200, usage_body(), truncate=25), "network_error"),
    (Reply(200, usage_body(), reset=True), "network_error"),
    (Reply(200, "<html>x</html>", content_type="text/html"), "bad_response"),
    (Reply(200, "[" * 100000 + "]" * 100000), "bad_response"),
    (Reply(200, b"\x1f\x8b\x08garbage", gzip=True), "bad_response"),
])
def test_broken_answers_are_outcomes(server, reply, kind):
    out, _ = ask(server, reply)
    assert isinstance(out, api.Failure) and out.kind == kind, out
    assert clean.is_clean(out.message)


def test_server_messages_are_cleaned_and_never_carry_the_token(server):
    message = f"nope {SECRET} Bearer {SECRET} \x1b]52;c;aGk=\x07\x1b[2J\x9b\u202e\nend"
    for status in (400, 401, 403, 429, 500):
        out, _ = ask(server, Reply(status, {"error": {"message": message}}))
        assert isinstance(out, api.Failure)
        assert SECRET not in out.message and "SECRET" not in out.message, out.message
        assert clean.is_clean(out.message), out.message


@pytest.mark.parametrize("token", ["sk-ant-oat01-tøkén✓", "sk-ant-oat01-a\nb", "sk-ant-oat01-\x1b[2J", "sk-ant\x00x"])
def test_unsendable_headers_are_a_failure_not_a_traceback(server, token):
    server.set("/x", Reply(200, {}))
    out = client(server).get("/x", {"Authorization": f"Bearer {token}"})
    assert isinstance(out, api.Failure) and out.kind == "auth_invalid"
    assert token not in out.message and "run `claude`" in out.message
    assert server.count("/x") == 0
