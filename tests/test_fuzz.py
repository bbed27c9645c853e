"""Property-based tests: every parser of outside input, fed whatever hypothesis can think of.

No input may raise out of a parser: each yields a value or its typed error. No string that
comes out may hold a control character (``clean.is_clean``), no number may be NaN or
infinite. Bounded (``FUZZ_EXAMPLES`` per property, no deadline) so the file stays well under
30 s; raise ``FUZZ_EXAMPLES`` for a longer local run.

Parsers covered: the usage and profile bodies, the Admin API pages (through
``console.refresh``), Claude Code's statusLine input (``hook.parse_input``/``readings``), the
credentials file and ``~/.claude.json``, our own cache files (``snapshot.json``, the marshal
files, read by ``store``, ``safefiles`` and ``cache_view.read_view``), Pace Maker's config and rows,
``Retry-After`` and whole HTTP answers (``api.classify``).

The doors out (issue 17): one property per escaping function (``render/dialects``, ``bars``'
i3blocks and xbar, Waybar through ``lineformats``), each "any outside text -> inert output for
this target", checked against a rule written here (``hostile.controls``), not the code's own.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import marshal
import math
import os
import re
import sqlite3
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hostile import CORPUS, NOW, applescript_value, controls, line_view, pango_inert  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from menubars import GO_SPACE, swiftbar_parse, xbar_parse  # noqa: E402

from statusline.cache import paths, safefiles, store  # noqa: E402
from statusline.commands import hook  # noqa: E402
from statusline.core import clean  # noqa: E402
from statusline.core.model import Snapshot  # noqa: E402
from statusline.fetch import api, console  # noqa: E402
from statusline.render import bars, dialects, lineformats  # noqa: E402
from statusline.sources import (  # noqa: E402
    claude_code,
    credentials,
    pace_maker_state,  # noqa: E402
)

_parse = importlib.import_module("statusline.sources.usage_api")
parse_usage, parse_profile, BadBody = _parse.usage, _parse.profile, _parse.BadBody

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "120"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
FEW = settings(FUZZ, max_examples=max(10, EXAMPLES // 4))

# --- strategies ----------------------------------------------------------------------------

NASTY = ["\x1b]52;c;aGFja2Vk\x07", "\x1b]0;title\x07", "\x1b[2J", "\x9b31m", "\x1b\\", "\u202e", "\u2066",
         "\n", "\r", "\t", "\x00", "\x7f", "\x85", "\ud800", "\u2028", "#(id)", "%F{red}", "$(id)", "é✓🚀",
         "sk-ant-oat01-ECHOED"]
texts = st.one_of(
    st.text(max_size=30),
    st.sampled_from(NASTY),
    st.builds(lambda a, b, c: a + b + c, st.text(max_size=8), st.sampled_from(NASTY), st.text(max_size=8)),
    st.text(max_size=2000).map(lambda s: s * 3),
)
ISO = ["2025-11-13T04:00:00.001100+00:00", "2025-11-13T04:00:00Z", "9999-12-31T23:59:59+00:00",
       "0001-01-01T00:00:00", "2025-13-45T99:00:00", "2025-11-13", "", "now", "1e400",
       "2025-11-13T04:00:00.1234567890123+14:00", "2025-11-13T04:00:00-23:59"]
numbers = st.one_of(
    st.integers(min_value=-(10 ** 30), max_value=10 ** 30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, 0.0, 100, 150.0, 56.99999999999999, 1e20, 2 ** 63, -1, 1.7e308, 10 ** 400,
                     1768384301294, 1768384301294000, 1738425600, float("nan"), float("inf")]),
)
scalars = st.one_of(st.none(), st.booleans(), numbers, texts, st.sampled_from(ISO))
KEYS = ["five_hour", "seven_day", "utilization", "resets_at", "limits", "kind", "percent", "scope", "model",
        "display_name", "id", "is_active", "extra_usage", "currency", "decimal_places", "monthly_limit",
        "used_credits", "account", "organization", "name", "email", "data", "has_more", "next_page",
        "rate_limits", "used_percentage", "claudeAiOauth", "accessToken", "expiresAt"]
keys = st.one_of(st.sampled_from(KEYS), st.text(max_size=6))
values = st.recursive(scalars, lambda c: st.lists(c, max_size=4) | st.dictionaries(keys, c, max_size=5),
                      max_leaves=16)


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(strategy, values)


window = maybe(st.fixed_dictionaries({}, optional={"utilization": numbers, "resets_at": st.one_of(st.sampled_from(ISO), values)}))
limit = maybe(st.fixed_dictionaries({}, optional={
    "kind": st.one_of(st.sampled_from(["session", "weekly_all", "weekly_scoped"]), texts),
    "percent": numbers, "utilization": numbers, "resets_at": st.sampled_from(ISO), "is_active": st.booleans(),
    "scope": maybe(st.fixed_dictionaries({}, optional={"model": maybe(st.fixed_dictionaries(
        {}, optional={"display_name": texts, "id": texts}))})),
}))
usage_bodies = maybe(st.fixed_dictionaries({}, optional={
    "five_hour": window, "seven_day": window, "seven_day_opus": window, "seven_day_sonnet": window,
    "limits": maybe(st.lists(limit, max_size=5)),
    "extra_usage": maybe(st.fixed_dictionaries({}, optional={
        "is_enabled": st.booleans(), "monthly_limit": numbers, "used_credits": numbers, "utilization": numbers,
        "currency": texts, "decimal_places": numbers})),
}))
profile_bodies = maybe(st.fixed_dictionaries({}, optional={
    "account": maybe(st.fixed_dictionaries({}, optional={k: texts for k in (
        "uuid", "full_name", "display_name", "email", "email_address")} | {
        "has_claude_max": scalars, "has_claude_pro": scalars})),
    "organization": maybe(st.fixed_dictionaries({}, optional={k: texts for k in (
        "uuid", "name", "organization_type", "billing_type", "rate_limit_tier")})),
}))


def walk(obj: Any, strings: list[str], floats: list[float], depth: int = 0) -> None:
    """Every string and float inside a parser's result (dataclasses, dicts, lists, tuples)."""
    assert depth < 50
    if isinstance(obj, str):
        strings.append(obj)
    elif isinstance(obj, float):
        floats.append(obj)
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            walk(getattr(obj, f.name), strings, floats, depth + 1)
    elif isinstance(obj, dict):
        for k, v in obj.items():
            walk(k, strings, floats, depth + 1)
            walk(v, strings, floats, depth + 1)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            walk(v, strings, floats, depth + 1)


def assert_clean(obj: Any, what: str) -> None:
    strings: list[str] = []
    floats: list[float] = []
    walk(obj, strings, floats)
    dirty = [s for s in strings if not clean.is_clean(s)]
    assert not dirty, f"{what}: control characters in {dirty[:3]!r}"
    assert all(math.isfinite(x) for x in floats), f"{what}: non-finite numbers {floats!r}"


# --- the API -------------------------------------------------------------------------------


@FUZZ
@given(usage_bodies)
def test_usage_bodies(body):
    try:
        usage = parse_usage(body)
    except BadBody:
        return
    assert_clean(usage, "parse.usage")


@FUZZ
@given(profile_bodies, st.one_of(st.none(), texts))
def test_profile_bodies(body, tier):
    try:
        profile = parse_profile(body, tier)
    except BadBody:
        return
    assert_clean(profile, "parse.profile")


def _not_json(constant: str) -> None:
    raise AssertionError(f"{constant} in output: not strict JSON")


@settings(FUZZ, max_examples=max(10, EXAMPLES // 2))
@given(usage_bodies, profile_bodies)
def test_parsed_bodies_render_everywhere(body, prof):
    """What the parsers let through, every renderer survives, and JSON stays strict JSON."""
    from statusline.cache import lineview
    from statusline.render import dialects, lineformats, panel, segments

    try:
        usage, profile = parse_usage(body), parse_profile(prof)
    except BadBody:
        return
    now = datetime(2025, 11, 13, 2, 0, tzinfo=timezone.utc)
    snap = Snapshot(mode="code", usage=usage, usage_fetched_at=now, profile=profile, profile_fetched_at=now)
    store_json = json.dumps(snap.to_dict(), allow_nan=False)  # the cache file is strict JSON
    assert_clean(json.loads(store_json), "snapshot.to_dict")
    view = marshal.loads(marshal.dumps(lineview.build(snap, ttl=30, cred_sig=None), 4))
    for glyphs in ("emoji", "plain", "ascii"):
        spans = segments.build(view, now.timestamp(), glyphs, True, None)
        assert_clean([t for t, _ in spans], "segments")
        for fmt in ("ansi", "tmux", "zsh", "bash", "plain"):
            dialects.render(spans, fmt, True)
    for fmt in ("json", "waybar"):
        doc = json.loads(lineformats.render(fmt, view, now.timestamp(), True, None), parse_constant=_not_json)
        tooltip = doc.pop("tooltip", "") if fmt == "waybar" else ""
        assert_clean([doc, *tooltip.split("\n")], fmt)  # waybar's tooltip: one row per line, by design
    text = panel.render_text(snap, now.timestamp(), ttl=30, width=60, color=False, tz=timezone.utc)
    assert all(clean.is_clean(row) for row in text.splitlines()), text


RETRY_AFTER = st.one_of(texts, st.sampled_from(["0", "120", "1e20", "inf", "-inf", "nan", "-5", "1e400",
                                                "Fri, 31 Dec 9999 23:59:59 GMT", "Wed, 21 Oct 2015 07:28:00 GMT",
                                                "Wed, 21 Oct 2015 07:28:00 -0000", "Mon, 99 Foo 2015 99:99:99 GMT",
                                                "999999999999999999999999"]), numbers.map(str))


@FUZZ
@given(RETRY_AFTER)
def test_retry_after(value):
    seconds = api.parse_retry_after(value, now=1.7e9)
    assert seconds is None or 0.0 <= seconds <= api.MAX_RETRY_AFTER


@FUZZ
@given(st.integers(min_value=100, max_value=599), st.dictionaries(st.sampled_from(["Retry-After", "Content-Type"]), texts),
       st.one_of(st.binary(max_size=200), values.map(lambda v: json.dumps(v).encode()),
                 st.builds(lambda m: json.dumps({"error": {"message": m}}).encode(), texts)))
def test_http_answers(status, headers, body):
    secret = "sk-ant-oat01-ECHOED"
    out = api.classify(status, headers, body, (secret,), now=1.7e9)
    assert isinstance(out, (api.Ok, api.Failure))
    if isinstance(out, api.Failure):
        assert clean.is_clean(out.message) and secret not in out.message, out.message
        assert out.retry_after is None or 0 <= out.retry_after <= api.MAX_RETRY_AFTER


# --- the Admin API (Console mode) ---------------------------------------------------------

record = maybe(st.fixed_dictionaries({}, optional={
    "date": st.one_of(st.sampled_from(ISO), texts),
    "actor": maybe(st.fixed_dictionaries({}, optional={
        "type": st.sampled_from(["user_actor", "api_actor"]), "email_address": st.sampled_from(["me@x.io", "ME@X.IO", "you@x.io"])})),
    "model_breakdown": maybe(st.lists(maybe(st.fixed_dictionaries({}, optional={
        "estimated_cost": maybe(st.fixed_dictionaries({}, optional={
            "currency": st.sampled_from(["USD", "usd", "EUR"]), "amount": st.one_of(numbers, numbers.map(str), texts)}))})),
        max_size=3)),
}))
pages = maybe(st.fixed_dictionaries({"data": maybe(st.lists(record, max_size=4))}, optional={
    "has_more": st.booleans(), "next_page": texts}))


class PageClient:
    """Plays the Admin API: the organization, then the drawn pages in turn (the last repeats)."""

    def __init__(self, org: Any, pages: list[Any]) -> None:
        self.org, self.pages, self.calls = org, pages or [{"data": []}], 0

    def admin_get(self, key: str, path: str, params: Any = None) -> api.Ok:
        self.calls += 1
        if path == console.ME_PATH:
            return api.Ok(self.org)
        return api.Ok(self.pages[min(self.calls - 2, len(self.pages) - 1)])


@FEW
@given(maybe(st.fixed_dictionaries({"name": texts})), st.lists(pages, min_size=1, max_size=3), values)
def test_admin_api_pages(org, drawn, previous):
    now = datetime(2025, 11, 3, 12, 0, tzinfo=timezone.utc)
    got = console.refresh(PageClient(org, drawn), "sk-ant-admin01-x", "me@x.io", previous, now, tz=timezone.utc)  # type: ignore[arg-type]
    assert got.console is None or isinstance(got.console, dict)
    assert_clean(got.console, "console.refresh")
    if got.console is not None:
        json.dumps(got.console, allow_nan=False)


# --- Claude Code's statusLine input -------------------------------------------------------

hook_inputs = maybe(st.fixed_dictionaries({}, optional={
    "model": maybe(st.fixed_dictionaries({}, optional={"id": texts, "display_name": texts})),
    "version": texts,
    "rate_limits": maybe(st.fixed_dictionaries({}, optional={
        k: maybe(st.fixed_dictionaries({}, optional={"used_percentage": numbers, "resets_at": numbers}))
        for k in ("five_hour", "seven_day", "spend_limit")})),
    "context_window": maybe(st.fixed_dictionaries({}, optional={
        "used_percentage": numbers, "context_window_size": numbers, "total_input_tokens": numbers,
        "current_usage": maybe(st.fixed_dictionaries({}, optional={
            k: numbers for k in ("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")}))})),
    "cost": maybe(st.fixed_dictionaries({}, optional={
        k: numbers for k in ("total_cost_usd", "total_duration_ms", "total_lines_added", "total_lines_removed")})),
    "effort": maybe(st.fixed_dictionaries({}, optional={"level": st.one_of(texts, st.sampled_from(["high", "max"]))})),
    "thinking": maybe(st.fixed_dictionaries({}, optional={"enabled": st.booleans()})),
    "session_name": texts, "output_style": maybe(st.fixed_dictionaries({}, optional={"name": texts})),
    "agent": maybe(st.fixed_dictionaries({}, optional={"name": texts})),
    "vim": maybe(st.fixed_dictionaries({}, optional={"mode": st.one_of(texts, st.just("NORMAL"))})),
    "workspace": maybe(st.fixed_dictionaries({}, optional={
        "current_dir": texts, "project_dir": texts, "git_worktree": texts,
        "repo": maybe(st.fixed_dictionaries({}, optional={"owner": texts, "name": texts}))})),
    "worktree": maybe(st.fixed_dictionaries({}, optional={"name": texts, "branch": texts})),
    "pr": maybe(st.fixed_dictionaries({}, optional={"number": numbers, "url": texts,
                                                    "review_state": st.one_of(texts, st.just("approved"))})),
    "prompt_cache": maybe(st.fixed_dictionaries({}, optional={"warm": st.booleans(), "expires_at": numbers})),
}))


@FUZZ
@given(st.one_of(hook_inputs.map(lambda v: json.dumps(v).encode()), st.binary(max_size=300),
                 hook_inputs.map(lambda v: json.dumps(v).encode()[: len(json.dumps(v)) // 2])))
def test_statusline_input(raw):
    data = hook.parse_input(raw)
    assert isinstance(data, dict)
    rows = claude_code.readings(data, 1_800_000_000.0)
    for key, _name, pct, resets, observed, source in rows:
        assert key in ("five_hour", "seven_day") and source == "claude-code" and observed == 1_800_000_000.0
        assert math.isfinite(pct) and 0 <= pct <= 10000, pct
        assert resets is None or 1e9 <= resets <= 4102444800, resets
    spend = claude_code.spend(data, 1_800_000_000.0)
    assert spend is None or (0 <= spend["pct"] <= 10000 and clean.is_clean(spend["period"] or ""))
    from statusline.core import items as names
    from statusline.render import items

    session = claude_code.session(data, 1_800_000_000.0)
    session["git"] = session["branch"] or session["worktree"]
    session["context_usable"] = claude_code.usable_percent(session, {})
    for name in names.SESSION:
        for glyphs in ("emoji", "ascii"):
            got = items.spans(name, session, glyphs, None, 1_800_000_000.0, "usable")
            assert_clean(got, f"items.spans({name})")
            assert all(isinstance(t, str) and len(t) <= 200 for t, _ in got), got


# --- the credentials file and ~/.claude.json ----------------------------------------------

cred_docs = maybe(st.fixed_dictionaries({}, optional={
    "claudeAiOauth": maybe(st.fixed_dictionaries({}, optional={
        "accessToken": st.one_of(st.just("sk-ant-oat01-GOOD"), texts), "expiresAt": scalars,
        "scopes": maybe(st.lists(texts, max_size=3)), "subscriptionType": texts, "rateLimitTier": texts})),
    "anthropicConsole": maybe(st.fixed_dictionaries({}, optional={"adminApiKey": texts})),
    "mode": st.one_of(st.sampled_from(["code", "console"]), texts),
}))


@pytest.fixture(scope="module")
def fuzz_home(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("fuzzhome")
    (home / ".claude").mkdir()
    return home


@FUZZ
@given(st.one_of(cred_docs.map(lambda v: json.dumps(v).encode()), st.binary(max_size=200)),
       st.one_of(st.just(b""), values.map(lambda v: json.dumps({"oauthAccount": v}).encode())))
def test_credentials_files(fuzz_home, cred_bytes, claude_json):
    env = {"HOME": str(fuzz_home), "CLAUDE_USAGE_CACHE_DIR": str(fuzz_home / "cache")}
    (fuzz_home / ".claude" / ".credentials.json").write_bytes(cred_bytes)
    (fuzz_home / ".claude.json").write_bytes(claude_json)
    p = paths.resolve(env)
    creds = credentials.load(p, env, platform="linux")
    credentials.resolve_mode("auto", creds)
    if creds.oauth:
        assert credentials.secret_problem(creds.oauth.access_token) is None
        api.Client({}).oauth_headers(creds.oauth.access_token)["Authorization"].encode("latin-1")
        creds.oauth.expired(datetime.now(timezone.utc))
    for problem in creds.problems:
        assert clean.is_clean(problem) and "sk-ant-oat01-GOOD" not in problem
    assert_clean(credentials.local_account(p), "local_account")


# --- our own cache files ------------------------------------------------------------------


@FUZZ
@given(st.one_of(st.binary(max_size=300), values.map(lambda v: json.dumps(v).encode()),
                 st.fixed_dictionaries({}, optional={k: values for k in (
                     "schema", "mode", "usage", "profile", "backoff", "last_error", "console", "pace_maker",
                     "usage_fetched_at", "token_fp")}).map(lambda v: json.dumps(v).encode())))
def test_snapshot_file(tmp_path_factory, raw):
    acct = tmp_path_factory.mktemp("acct")
    (acct / store.SNAPSHOT).write_bytes(raw)
    snap, problem = store.load_snapshot(acct)
    assert snap is None or isinstance(snap, Snapshot)
    assert problem is None or clean.is_clean(problem)


MARSHAL_BOMBS = [b"[\xff\xff\xff\x7f", b"(\xff\xff\xff\x7f", b"s\xff\xff\xff\x7f", b"{" * 5000,
                 b"l\xff\xff\xff\x7f", b"\xdb\xff\xff\xff\x7f", b"a\xff\xff\xff\x7f", b"r\x00\x00\x00\x00"]
marshal_bytes = st.one_of(st.binary(max_size=200), st.sampled_from(MARSHAL_BOMBS),
                          values.map(lambda v: marshal.dumps(v, 4)), values.map(safefiles.dumps_marshal),
                          st.tuples(values, st.integers(0, 60)).map(lambda t: safefiles.dumps_marshal(t[0])[: t[1]]),
                          st.tuples(values, st.integers(0, 40)).map(lambda t: marshal.dumps(t[0], 4)[: t[1]]))


@FUZZ
@given(marshal_bytes)
def test_marshal_files(raw):
    value = safefiles.loads_marshal(raw)
    if raw in MARSHAL_BOMBS:
        assert value is None


def test_line_reads_garbage_marshal_files_quickly_and_in_little_memory(tmp_path):
    """The hot path's reader on bombs and garbage, under a 1 GiB address-space limit."""
    files = []
    for i, raw in enumerate(MARSHAL_BOMBS + [b"", b"\x00" * 64, marshal.dumps({"v": 1, "windows": 5}, 4)]):
        f = tmp_path / f"view-{i}.bin"
        f.write_bytes(raw)
        files.append(str(f))
    probe = ("import resource, sys, time;"
             "resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30));"
             "from statusline.cache.cache_view import read_view;"
             "t = time.monotonic(); out = [read_view(f) for f in sys.argv[1:]];"
             "print(time.monotonic() - t, out)")
    r = subprocess.run([sys.executable, "-c", probe, *files], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and "Error" not in r.stderr, r.stderr[-600:]
    took = float(r.stdout.split()[0])
    assert took < 10, f"read_view took {took:.2f}s on garbage"  # no runaway parse; speed is bench/'s


# --- Pace Maker ----------------------------------------------------------------------------

pm_rows = st.fixed_dictionaries({}, optional={
    "timestamp": st.one_of(numbers, st.sampled_from(ISO), texts), "five_hour_util": scalars,
    "five_hour_resets_at": st.one_of(numbers, st.sampled_from(ISO), texts), "seven_day_util": scalars,
    "seven_day_resets_at": st.one_of(numbers, st.sampled_from(ISO), texts)})
pm_configs = maybe(st.fixed_dictionaries({}, optional={
    "enabled": scalars, "tempo_mode": st.one_of(st.sampled_from(["auto", "on", "off"]), texts), "tempo_enabled": scalars,
    "weekly_limit_enabled": scalars, "five_hour_limit_enabled": scalars, "preload_hours": numbers,
    "algorithm": st.one_of(st.sampled_from(["adaptive", "legacy"]), texts), "strategy": texts}))


@FUZZ
@given(pm_rows, values)
def test_pace_maker_rows_and_state(row, state):
    got = pace_maker_state._usage_row(row)
    if got is not None:
        assert_clean(got, "pace_maker_state._usage_row")
    assert_clean(pace_maker_state.PaceMakerState.from_dict(state), "PaceMakerState.from_dict")


def _sql(v: Any) -> Any:
    """A value SQLite can store (Pace Maker's columns are loosely typed)."""
    if isinstance(v, int) and not -(2 ** 63) <= v < 2 ** 63:
        return str(v)
    if isinstance(v, str):
        return v.encode("utf-8", "replace").decode("utf-8")
    return v if isinstance(v, (int, float, type(None))) else json.dumps(v)


@FEW
@given(pm_configs, st.lists(pm_rows, max_size=3), st.lists(st.fixed_dictionaries(
    {"timestamp": st.one_of(numbers, texts), "should_throttle": scalars, "delay_seconds": numbers}), max_size=2))
def test_pace_maker_directory(tmp_path_factory, cfg, rows, decisions):
    d = tmp_path_factory.mktemp("pm")
    (d / "config.json").write_text(json.dumps(cfg))
    conn = sqlite3.connect(d / "usage.db")
    conn.execute("CREATE TABLE usage_snapshots (id INTEGER PRIMARY KEY, timestamp, five_hour_util, "
                 "five_hour_resets_at, seven_day_util, seven_day_resets_at, session_id, created_at)")
    conn.execute("CREATE TABLE pacing_decisions (id INTEGER PRIMARY KEY, timestamp, should_throttle, "
                 "delay_seconds, session_id, created_at)")
    cols = ("timestamp", "five_hour_util", "five_hour_resets_at", "seven_day_util", "seven_day_resets_at")
    for r in rows:
        conn.execute("INSERT INTO usage_snapshots (%s) VALUES (?,?,?,?,?)" % ",".join(cols),
                     [_sql(r.get(c)) for c in cols])
    for r in decisions:
        conn.execute("INSERT INTO pacing_decisions (timestamp, should_throttle, delay_seconds) VALUES (?,?,?)",
                     [_sql(r[k]) for k in ("timestamp", "should_throttle", "delay_seconds")])
    conn.commit()
    conn.close()
    state = pace_maker_state.read_pace_maker(d, 1.7e9, None, tz=timezone.utc)
    assert_clean(state, "read_pace_maker")
    json.dumps(state.to_dict(), allow_nan=False)


# --- the doors out (issue 17): any outside text, inert for its target ----------------------

# What outside text holds at its worst: every target's special characters, the controls, the
# hostile corpus whole, and anything else Unicode has (lone surrogates included).
SPECIAL = list("#%{}[]()&<>\"'\\|-=+@;`$!~ \n\r\t\x00\x07\x1b\x7f\x85\x9b\x9c\x9d\u061c\u200e\u200f\u2028"
               "\u2029\u202a\u202e\u2066\u2069\u200b\u200d\ufe0f\ufeff\ud800\udfff")
outside = st.one_of(
    st.text(st.one_of(st.characters(), st.sampled_from(SPECIAL)), max_size=40),
    st.lists(st.sampled_from(SPECIAL + ["##", "%%", "#[", "#(", "#{", "%{", "\\;"]), max_size=12).map("".join),
    st.sampled_from(CORPUS),
    st.builds(lambda a, b, c: a + b + c, st.text(st.sampled_from(SPECIAL), max_size=6), st.sampled_from(CORPUS),
              st.text(st.sampled_from(SPECIAL), max_size=6)),
)
LEVELS = ["ok", "warn", "high", "crit", "stale", "muted", "info", "text", "unknown"]
spans_of = st.lists(st.tuples(outside, st.sampled_from(LEVELS)), max_size=4)
DOORS = settings(FUZZ, max_examples=min(EXAMPLES, 150))


def plain(text: str) -> str:
    """What every target must show of ``text``: itself, each control as ``?``."""
    return "".join("?" if controls(ch) else ch for ch in text)


def undouble(text: str, ch: str) -> str:
    """``text`` with each doubled ``ch`` as one, asserting no ``ch`` stands alone."""
    parts = text.split(ch + ch)
    assert not any(ch in p for p in parts), text
    return ch.join(parts)


def _ours(*codes: str) -> str:
    return "|".join(re.escape(c) for c in sorted(set(codes), key=len, reverse=True))


# A line's tokens as its program reads them, left to right: the doubled special character
# (literal), one of our own codes (dropped), a lone special character (from outside: fails).
LINE_TOKENS = {
    "tmux": re.compile(r"(##)|(#\[(?:%s)\])|(#)|([^#]+)" % _ours("default", *dialects.TMUX.values())),
    "zsh": re.compile(r"(%%%%)|(%%F\{(?:%s)\}|%%f)|(%%)|([^%%]+)" % _ours(*dialects.ZSH.values())),
    "ansi": re.compile(r"()(\x1b\[(?:%s)m)|()(.+?(?=\x1b\[|$))" % _ours("0", *dialects.ANSI.values()), re.S),
    "bash": re.compile(r"()(\x01\x1b\[(?:%s)m\x02)|()(.+?(?=\x01|$))" % _ours("0", *dialects.ANSI.values()), re.S),
}


def shown_line(out: str, fmt: str) -> str:
    """The text a rendered line shows in its program: our codes dropped, doubled characters as one."""
    tokens = LINE_TOKENS.get(fmt)
    if tokens is None:
        return out
    shown, at = [], 0
    for m in tokens.finditer(out):
        assert m.start() == at and not m.group(3), (fmt, out, m.start())
        shown.append(m.group(1)[:1] if m.group(1) else m.group(4) or "")
        at = m.end()
    assert at == len(out), (fmt, out)
    return "".join(shown)


@DOORS
@given(outside, st.sampled_from(["ansi", "bash", "tmux", "zsh", "plain", "other"]))
def test_escape_makes_any_text_literal_in_each_line_dialect(text, fmt):
    out = dialects.escape(text, fmt)
    assert controls(out) == [], out
    assert (undouble(out, "#") if fmt == "tmux" else undouble(out, "%") if fmt == "zsh" else out) == plain(text)


@DOORS
@given(spans_of, st.sampled_from(["ansi", "bash", "tmux", "zsh", "plain"]), st.booleans())
def test_render_writes_no_escape_but_its_own(spans, fmt, color):
    """A line of outside spans: our colour codes are the only codes, the rest is the text."""
    out = dialects.render(spans, fmt, color)
    shown = shown_line(out, fmt)
    assert controls(shown) == [] and shown == "".join(plain(t) for t, _ in spans), (spans, out)


@DOORS
@given(outside)
def test_tmux_text_shows_every_hash_literally(text):
    out = dialects.tmux_text(text)
    assert controls(out) == [] and undouble(out, "#") == plain(text)  # no #( #[ #{ survives


@DOORS
@given(outside)
def test_tmux_message_text_also_doubles_strftime_and_ends_no_command(text):
    out = dialects.tmux_message_text(text)
    assert controls(out) == []
    if out.endswith(";"):
        assert out.endswith("\\;"), out
        out = out[:-2] + ";"
    assert undouble(undouble(out, "#"), "%") == plain(text)


@DOORS
@given(spans_of)
def test_bash_ps1_text_leaves_no_backslash_escape(spans):
    line = dialects.render(spans, "bash", True)
    assert undouble(dialects.bash_ps1_text(line), "\\") == line


@DOORS
@given(outside)
def test_pango_text_is_markup_with_nothing_of_its_own(text):
    shown = pango_inert(dialects.pango_text(text))
    assert shown == plain(text)


@DOORS
@given(outside, outside)
def test_notify_argv_takes_no_option_from_outside(title, message):
    argv = dialects.notify_argv("notify-send", title, message)
    assert argv[:3] == ["notify-send", "--app-name=claude-usage", "--"] and len(argv) == 5, argv
    assert argv[3] == plain(title) and pango_inert(argv[4]) == plain(message)


@DOORS
@given(outside)
def test_applescript_string_is_one_literal(text):
    assert applescript_value(dialects.applescript_string(text)) == plain(text)


@DOORS
@given(outside, spans_of)
def test_i3blocks_output_is_three_lines_without_polybar_tags(text, spans):
    out = bars.escape_i3blocks(text)
    assert controls(out) == [] and "%{" not in out, out
    lines = bars.i3blocks(spans).split("\n")
    assert len(lines) == 3 and lines[2] in ("", *bars.COLOURS.values()), lines
    assert not any(controls(x) or "%{" in x for x in lines), lines


@DOORS
@given(outside)
def test_csv_cell_starts_no_formula_and_round_trips(name):
    """Through ``history --csv`` and back: no cell starts a formula, one row, the name as shown."""
    import csv
    import io

    from statusline.commands import history

    text = history.to_csv([(1_700_000_000.0, "scoped", name, 92.0, None)])
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert len(rows) == 2 and not any(c[:1] in ("=", "+", "-", "@", "\t", "\r") or controls(c) for c in rows[1])
    assert [s[2] for s in history.from_csv(text)] == [plain(name) or None]


LINE_BREAKS = "\n\r\t\x0b\x0c\u2028\u2029\x85"
REFRESH = ("Refresh", "bash=/usr/bin/claude-usage param1=refresh terminal=false refresh=true")


def menu_shown(text: str, trim: bool = True) -> str:
    """What xbar and SwiftBar must show of outside text in an item: the text, each line break
    a space and every other control ``?``, ``|`` as ``¦`` (it would start the parameters), a
    first ``-`` after blanks as ``‐`` (it would make a separator or a submenu); trimmed as both
    apps trim unless ``trim=false``."""
    shown = plain("".join(" " if ch in LINE_BREAKS else ch for ch in text)).replace("|", "\u00a6")
    lead = len(shown) - len(shown.lstrip(GO_SPACE))
    if shown[lead:lead + 1] == "-":
        shown = shown[:lead] + "\u2010" + shown[lead + 1:]
    return shown.strip(GO_SPACE) if trim else shown


@DOORS
@given(outside, st.sampled_from(LEVELS), st.booleans())
def test_xbar_item_shows_any_text_as_it_is_in_both_apps(text, level, swiftbar):
    """``escape_xbar`` through one item, read by re-implementations of xbar's and SwiftBar's own
    rules (``tests/menubars.py``): xbar parses it (an unknown key would be its error), both show
    one title item holding exactly the text (xbar's Go ``Unquote`` and SwiftBar's unescaping
    turn nothing into a control, a quote or a new row), and ``:name:`` stays literal."""
    item = bars.xbar_item(text, level, "", swiftbar)
    parsers = (swiftbar_parse,) if swiftbar else (xbar_parse, swiftbar_parse)
    for parse in parsers:
        got = parse(item)
        assert len(got) == 1 and got[0].title and not got[0].separator, (item, got)
        assert got[0].text == menu_shown(text) and controls(got[0].text) == [], (item, got[0].text)
        assert got[0].params["emojize"] is False
    if swiftbar:
        assert swiftbar_parse(item)[0].params["symbolize"] is False  # :sf.name: stays literal
    else:
        assert "symbolize" not in item  # a key xbar does not know


@DOORS
@given(spans_of, st.lists(st.tuples(outside, st.sampled_from(LEVELS)), max_size=3), st.booleans())
def test_xbar_menu_holds_only_our_items_and_parameters(spans, rows, swiftbar):
    """A whole menu of outside spans and rows: one title, our rows each one item at the top
    level with the text as it is, the one action ours, and under xbar no key it does not know."""
    out = bars.xbar(spans, rows, [REFRESH], swiftbar)
    items = (swiftbar_parse if swiftbar else xbar_parse)(out)
    shown = [it for it in items if not it.separator]
    assert [it.title for it in shown].count(True) == 1 and all(it.depth == 0 for it in items), out
    assert shown[0].text == menu_shown("".join(t for t, _ in spans).strip())
    assert [it.text for it in shown[1:-1]] == [menu_shown(t, trim=False) + " " for t, _ in rows if t.strip()]
    assert shown[-1].text == "Refresh"
    assert [it for it in shown if "shell" in it.params or "bash" in it.params] == [shown[-1]]


@DOORS
@given(outside, st.one_of(st.none(), outside), st.one_of(st.none(), outside))
def test_waybar_output_is_pango_safe_whatever_the_view_holds(name, error, note):
    """The view straight (no ``clean`` on the way: the door alone must hold) with an outside
    model name and error, and an outside note: text and tooltip are inert Pango markup."""
    view = dict(WAYBAR_VIEW, error=error, status="error" if error else "ok")
    view["windows"] = [w if w[0] != "scoped" else (w[0], name, *w[2:]) for w in view["windows"]]
    doc = json.loads(lineformats.render("waybar", view, NOW, True, note))
    assert controls(pango_inert(doc["text"])) == []
    assert controls(pango_inert(doc["tooltip"]).replace("\n", "")) == []


WAYBAR_VIEW = line_view("Fable")
