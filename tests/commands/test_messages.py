"""Every whole-line message the line can print is in the table of docs/line.md ("When there are no
numbers yet"), and every message the table lists is one the code can print."""

from __future__ import annotations

import re
from pathlib import Path

from statusline.render import segments

DOC = (Path(__file__).resolve().parents[2] / "docs" / "line.md").read_text()


def code_messages() -> set[str]:
    words = set(segments.ERROR_WORDS.values()) | set(segments.CONSOLE_WORDS.values())
    notes = {"cache dir not writable", "cannot start fetcher"}  # cache_view's spawn problems
    return ({"claude: " + w for w in words | notes}
            | {"claude \u2026", "claude: ?", "claude: no plan limits"})


def documented_messages() -> set[str]:
    section = DOC[DOC.index("When there are no numbers yet"):]
    section = section[:section.index("\n\n", section.index("|---|"))]
    found = set()
    for cell in re.findall(r"^\| (.+?) \| ", section, re.M):
        found |= {m for m in re.findall(r"`([^`]+)`", cell) if m.startswith("claude")}
    return {m for m in found if "\u23f8" not in m}  # the pause form carries a live duration


def test_the_docs_list_exactly_the_messages_the_code_prints():
    assert documented_messages() == code_messages()


def test_each_error_word_is_what_the_line_prints():
    view = {"v": 2, "mode": "code", "fetched": None, "ttl": 30.0, "windows": [], "status": "network_error"}
    spans = segments.build(view, 1_800_000_000.0)
    assert "".join(t for t, _ in spans) == "claude: offline"


# --- every other message a person reads is a sentence (issue 20, item 11) ---------------------

import re as _re  # noqa: E402

INTERNAL = ("no_credentials", "rate_limited", "auth_expired", "auth_invalid", "server_error", "network_error",
            "bad_response", "missing_scope")


def _no_internals(text: str) -> None:
    for code in INTERNAL:
        assert not _re.search(rf"\b{code}\b", text), (code, text)
    assert not _re.search(r"\d{2}:\d{2}:\d{2}\.\d+|\+00:00|T\d{2}:\d{2}", text), text  # no ISO, no microseconds
    assert not _re.search(r"\d+\.\d+s\b", text), text  # whole seconds


def test_refresh_and_doctor_speak_in_sentences(api, logged_in):
    from apiserver import Reply
    from helpers import cli

    api.set("/api/oauth/usage", Reply(429, {"error": {"type": "rate_limit_error",
                                                      "message": "Rate limited. Please try again later."}},
                                      {"Retry-After": "120"}))
    r = cli("refresh")
    said = r.stdout + r.stderr
    assert r.returncode == 1 and said.startswith("Refresh failed: the API is rate limiting this login"), said
    assert said.lower().count("rate limit") == 1, said  # nothing said twice
    _no_internals(said)
    doctor = cli("doctor").stdout
    for row in doctor.splitlines():
        if row.startswith(("[ok] data", "[!!] data", "[!!] last error", "[!!] backoff", "[ok] backoff")):
            _no_internals(row)
    assert "(2m left)" in doctor or "(1m left)" not in doctor


def test_an_expired_login_is_told_in_local_time(api, home):
    from conftest import write_credentials
    from helpers import cli

    write_credentials(home, expires_in=-3600)
    r = cli("refresh")
    assert r.returncode == 1 and "the login expired at " in r.stderr and "(local time)" in r.stderr, r.stderr
    _no_internals(r.stderr)


def test_no_credentials_is_a_sentence():
    from helpers import cli

    r = cli("refresh")
    assert r.returncode == 1 and r.stderr[:1].isupper(), r.stderr
    _no_internals(r.stderr)
    r = cli("--mode", "console", "refresh")
    assert "Admin API key" in r.stderr
    _no_internals(r.stderr)
