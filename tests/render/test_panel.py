"""The panel, rendered from fixed snapshots with a fixed clock and time zone.

Every box is checked at 40, 60 and 100 columns: all its lines have the same display width
(rich's cell count and an East-Asian-Width count, i.e. what a terminal does, must agree), no
line is wider than the terminal, and the words the seed shows are there at every width.
"""

from __future__ import annotations

import io
import json
import re
import unicodedata
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from rich.cells import cell_len

from statusline.cache import spawn, store
from statusline.cache.paths import resolve
from statusline.commands import watch
from statusline.core.model import (
    Backoff,
    ExtraUsage,
    FetchError,
    Profile,
    ScopedLimit,
    Snapshot,
    Usage,
    Window,
    utc,
)
from statusline.render import panel

UTC = timezone.utc
TZ = timezone(timedelta(hours=-5))  # an injected zone that is not the machine's
NOW = datetime(2025, 11, 13, 2, 20, 0, tzinfo=UTC).timestamp()
WIDTHS = (40, 60, 100)
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def at(seconds: float) -> datetime:
    return datetime.fromtimestamp(NOW + seconds, UTC)


PROFILE = Profile(display_name="Ada", full_name="Ada Lovelace", email="ada@example.com",
                  organization="Analytical Engines", organization_type="claude_max",
                  has_claude_max=True, rate_limit_tier="default_claude_max_5x")
USAGE = Usage(
    five_hour=Window(78.0, at(6000)),
    seven_day=Window(41.0, at(2 * 86400 + 3 * 3600 + 30)),
    scoped=(ScopedLimit("Opus", Window(96.5, at(2 * 86400 + 3 * 3600 + 30))),),
    extra=ExtraUsage(enabled=True, monthly_limit=40.0, used=12.34, utilization=30.85),
)
CODE = Snapshot(mode="code", usage=USAGE, usage_fetched_at=at(-10), profile=PROFILE,
                profile_fetched_at=at(-100))
CONSOLE = Snapshot(mode="console", console_fetched_at=at(-60), console={
    "organization": "Acme Corporation", "email": "john@company.com", "month": "2025-11",
    "mtd_usd": 45.23, "rate_usd_per_hour": 2.51, "rate_window": "3h", "projected_usd": 75.50,
})
PACE = {"installed": True, "enabled": True, "throttling": True, "delay_seconds": 45,
        "constrained_window": "5h", "target": 62.0, "utilization": 78.0, "deviation": 15.2,
        "algorithm": "adaptive", "strategy": "gradual", "tempo": True, "problem": None}


def terminal_width(text: str) -> int:
    """Cells as a terminal counts them: wide/fullwidth 2, combining and VS16 0, else 1."""
    n = 0
    for ch in text:
        if unicodedata.combining(ch) or ch in "\ufe0f\u200d":
            continue
        n += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return n


def render(snapshot: Snapshot | None, width: int, *, ttl: float = 30.0, color: bool = False,
           problem: str | None = None, mode: str | None = None, now: float = NOW) -> str:
    return panel.render_text(snapshot, now, ttl=ttl, width=width, color=color, tz=TZ,
                             problem=problem, mode=mode)


def check_box(text: str, width: int, title: str) -> list[str]:
    """Assert the box is whole and square; return its lines."""
    lines = text.split("\n")
    assert lines[0].startswith("\u250c") and lines[0].endswith("\u2510"), lines[0]
    assert lines[-1].startswith("\u2514") and lines[-1].endswith("\u2518"), lines[-1]
    widths = {cell_len(ln) for ln in lines}
    assert len(widths) == 1, "\n".join(f"{cell_len(ln):3} {ln}" for ln in lines)
    assert {terminal_width(ln) for ln in lines} == widths, "rich and the terminal disagree on a width"
    assert widths.pop() <= width
    for ln in lines[1:-1]:
        assert ln.startswith("\u2502 ") and ln.endswith(" \u2502"), ln
    assert "\ufe0f" not in text and "\u200d" not in text  # widths terminals disagree on
    assert text.count(title) == 1
    assert "\x1b" not in text
    return lines


@pytest.mark.parametrize("width", WIDTHS)
def test_code_panel_full(width: int) -> None:
    text = render(CODE, width)
    lines = check_box(text, width, "Claude Code Usage")
    assert "\U0001f464 Ada (ada@example.com)" in text
    assert "\U0001f3e2 Analytical Engines  MAX" in text
    assert "\u26a1 Tier: Max 5x" in text
    for label, pct in (("5-Hour:", "78%"), ("7-Day:", "41%"), ("Opus Weekly:", "96%"), ("Usage credits:", "30%")):
        row = next(ln for ln in lines if label in ln)
        assert pct in row and "\u2588" in row and "\u2591" in row
    assert "\u23f0 Resets in 1h 40m" in text
    assert text.count("\u23f0 Resets in 2d 3h") == 2  # 7-day and Opus weekly: days
    assert "Credits used: $12.34 / $40.00" in text
    assert "Updated: 21:19:50" in text  # 02:19:50 UTC in UTC-5
    assert "ago" not in text  # fresh data shows no age
    assert "Pace Maker" not in text


def test_bars_shrink_with_the_terminal() -> None:
    def bar_cells(width: int) -> int:
        row = next(ln for ln in render(CODE, width).split("\n") if "5-Hour:" in ln)
        return row.count("\u2588") + row.count("\u2591")

    assert bar_cells(40) < bar_cells(60) == bar_cells(100) == panel.BAR_MAX
    assert cell_len(render(CODE, 100).split("\n")[0]) == panel.BOX_MAX  # compact, not a banner


def test_percent_colours_follow_the_line_thresholds() -> None:
    usage = Usage(five_hour=Window(50.0, at(60)), seven_day=Window(51.0, at(60)),
                  scoped=(ScopedLimit("Opus", Window(99.9, at(60))), ScopedLimit("Sonnet", Window(100.0, at(60)))))
    text = render(Snapshot(mode="code", usage=usage, usage_fetched_at=at(0)), 60, color=True)
    rows = {label: ln for ln in text.split("\n") for label in ("5-Hour", "7-Day", "Opus", "Sonnet") if label in ln}
    assert "\x1b[32m  50%" in rows["5-Hour"]  # green
    assert "\x1b[33m  51%" in rows["7-Day"]  # yellow
    assert "\x1b[38;5;208m  99%" in rows["Opus"]  # orange: 99.9 reads 99, as on the line
    assert "\x1b[1;31m 100%" in rows["Sonnet"]  # red
    plain = ANSI.sub("", text)
    assert {cell_len(ln) for ln in plain.split("\n")} == {60}


def test_no_color_has_no_escape_codes_and_color_has_them() -> None:
    assert "\x1b" not in render(CODE, 60, color=False)
    coloured = render(CODE, 60, color=True)
    assert "\x1b[" in coloured
    assert ANSI.sub("", coloured) == render(CODE, 60, color=False)


def test_passed_reset_and_stale_data() -> None:
    old = CODE.replace(usage_fetched_at=at(-3 * 60 - 5))
    text = render(old, 60, now=NOW + 6001)
    assert "window reset" in text
    assert "Resets in 1h" not in text
    assert "Updated: 21:16:55 (1h 43m ago)" in text  # older than 2 x TTL: say how old
    check_box(text, 60, "Claude Code Usage")


def test_enterprise_and_pro_badges() -> None:
    ent = Profile(display_name="U", email="u@example.com", organization="Company Name",
                  organization_type="claude_enterprise", has_claude_max=True)
    assert "Company Name  ENTERPRISE" in render(CODE.replace(profile=ent), 60)
    pro = Profile(email="p@example.com", organization="Solo", has_claude_pro=True)
    assert "Solo  PRO" in render(CODE.replace(profile=pro), 60)
    long_org = Profile(organization="The Extremely Long Organization Name Incorporated", has_claude_max=True)
    text = render(CODE.replace(profile=long_org), 40)
    assert "MAX" in text and "\u2026" in text  # the name is cut, the badge stays
    check_box(text, 40, "Claude Code Usage")


@pytest.mark.parametrize("width", WIDTHS)
def test_console_panel(width: int) -> None:
    text = render(CONSOLE, width, ttl=300.0)
    check_box(text, width, "Console Usage")
    assert "\U0001f3e2 Acme Corporation" in text
    assert "Month-to-Date (November 2025)" in text
    assert "Your Claude Code Usage: $45.23" in text
    assert "(john@company.com)" in text
    flat = " ".join(ln.strip("\u2502 ") for ln in text.split("\n"))
    assert "Projected by end of month: $75.50 (+$30.27)" in flat
    assert "Rate: $2.51/hour" in text and "month avg" not in text
    assert "Updated: 21:19:00" in text
    if width >= 60:
        assert "\u2550\u2550\u2550 Month-to-Date (November 2025) \u2550\u2550\u2550" in text
        assert "Projected by end of month: $75.50 (+$30.27)" in text


def test_console_month_average_rate() -> None:
    snap = CONSOLE.replace(console={**CONSOLE.console, "rate_window": "month"})
    assert "Rate: $2.51/hour (month avg)" in render(snap, 60, ttl=300.0)


@pytest.mark.parametrize("width", WIDTHS)
def test_pace_maker_throttling(width: int) -> None:
    text = render(CODE.replace(pace_maker=PACE), width)
    lines = check_box(text, width, "Claude Code Usage")
    assert "\U0001f3af Pace Maker: \u26a0 THROTTLING" in text
    target = next(ln for ln in lines if "5-Hour Target:" in ln)
    assert "62%" in target and "\u2588" in target
    assert "Deviation: +15.2% (over budget)" in text
    assert "Next delay: 45s per tool use" in text
    assert "Algorithm: adaptive/gradual" in text
    assert "Tempo: enabled" in text
    # the usage bars and the target bar share one label column
    bars = [ln.index("\u2588") for ln in lines if "\u2588" in ln]
    assert len(set(bars)) == 1


def test_pace_maker_on_pace_inactive_and_problem() -> None:
    on_pace = {**PACE, "throttling": False, "delay_seconds": None, "constrained_window": "7d",
               "target": 40.0, "deviation": -3.0, "algorithm": "legacy", "tempo": False}
    text = render(CODE.replace(pace_maker=on_pace), 60)
    assert "\u2713 ON PACE" in text and "THROTTLING" not in text
    assert "7-Day Target:" in text and "Deviation: -3.0% (under budget)" in text
    assert "Next delay" not in text
    assert "Algorithm: legacy" in text and "Tempo: disabled" in text
    inactive = render(CODE.replace(pace_maker={"installed": True, "enabled": False}), 60)
    assert "Pace Maker: INACTIVE" in inactive and "Target" not in inactive
    broken = render(CODE.replace(pace_maker={"installed": True, "enabled": True, "problem": "usage.db unreadable"}), 40)
    assert "usage.db unreadable" in broken
    check_box(broken, 40, "Claude Code Usage")
    assert "Pace Maker" not in render(CODE.replace(pace_maker={"installed": False}), 60)


@pytest.mark.parametrize("width", WIDTHS)
def test_rate_limited(width: int) -> None:
    snap = CODE.replace(
        usage_fetched_at=at(-600),
        last_error=FetchError("rate_limited", "Rate limited. Please try again later.", at(-30), 429),
        backoff=Backoff("rate_limited", 2, until=at(1500)),
    )
    text = render(snap, width)
    check_box(text, width, "Claude Code Usage")
    assert "Rate limited until 21:45" in text  # 02:45 UTC in UTC-5
    assert "78%" in text  # the last good numbers stay
    assert "Updated: 21:10:00 (10m ago)" in text
    over = render(snap, width, now=NOW + 1600)
    assert "Rate limited" not in over


@pytest.mark.parametrize("width", WIDTHS)
def test_auth_expired(width: int) -> None:
    snap = CODE.replace(last_error=FetchError("auth_expired", "login expired at ...", at(-5)),
                        backoff=Backoff("auth_expired", 1, cred_sig="1:2"))
    text = render(snap, width)
    check_box(text, width, "Claude Code Usage")
    flat = " ".join(ln.strip("\u2502 ") for ln in text.split("\n"))
    assert "Login expired \u2014 run `claude`" in flat


def test_auth_invalid_and_missing_scope() -> None:
    bad = CODE.replace(last_error=FetchError("auth_invalid", "401", at(-5)))
    assert "run `claude`" in render(bad, 100)
    scope = Snapshot(mode="code", last_error=FetchError("missing_scope", "403 scope", at(-5)))
    text = render(scope, 40)
    check_box(text, 40, "Claude Code Usage")
    flat = " ".join(ln.strip("\u2502 ") for ln in text.split("\n"))
    assert "Token lacks user:profile scope" in flat


@pytest.mark.parametrize("width", WIDTHS)
def test_no_credentials(width: int) -> None:
    snap = Snapshot(last_error=FetchError("no_credentials", "no login", at(-5)), last_attempt_at=at(-5))
    text = render(snap, width)
    check_box(text, width, "Claude Code Usage")
    flat = " ".join(ln.strip("\u2502 ") for ln in text.split("\n"))
    assert "No credentials found" in flat
    assert "run `claude`" in flat.lower() and "ANTHROPIC_ADMIN_API_KEY" in flat
    assert "Updated: never" in text


@pytest.mark.parametrize("width", WIDTHS)
def test_no_data_yet(width: int) -> None:
    text = render(None, width)
    check_box(text, width, "Claude Code Usage")
    assert "Waiting for the first update" in text and "Updated: never" in text
    assert "Console Usage" in render(None, width, mode="console")


def test_other_error_without_data_and_cache_problem() -> None:
    snap = Snapshot(mode="code", last_error=FetchError("network_error", "cannot reach api.anthropic.com", at(-5)))
    text = render(snap, 40, problem="cache file was corrupt; rebuilt")
    check_box(text, 40, "Claude Code Usage")
    flat = " ".join(ln.strip("\u2502 ") for ln in text.split("\n"))
    assert "cannot reach api.anthropic.com" in flat and "cache file was corrupt" in flat
    fresh_with_error = CODE.replace(last_error=FetchError("server_error", "HTTP 503", at(-5)))
    assert "HTTP 503" not in render(fresh_with_error, 60)  # good data, still fresh: no alarm


def test_extra_usage_only_account() -> None:
    usage = Usage(extra=ExtraUsage(enabled=True, monthly_limit=100.0, used=81.0))
    text = render(Snapshot(mode="code", usage=usage, usage_fetched_at=at(0)), 40)
    check_box(text, 40, "Claude Code Usage")
    assert "Usage credits:" in text and "81%" in text and "Credits used: $81.00 / $100.00" in text
    assert "Waiting" not in text


def test_status_names() -> None:
    assert panel.status(None, NOW, 30) == "stale"
    assert panel.status(CODE, NOW, 30) == "ok"
    assert panel.status(CODE.replace(usage_fetched_at=at(-61)), NOW, 30) == "stale"
    limited = CODE.replace(last_error=FetchError("rate_limited", "429", at(0)),
                           backoff=Backoff("rate_limited", 1, until=at(60)))
    assert panel.status(limited, NOW, 30) == "rate_limited"
    assert panel.status(CODE.replace(last_error=FetchError("auth_invalid", "", at(0))), NOW, 30) == "auth_expired"
    assert panel.status(Snapshot(last_error=FetchError("no_credentials", "", at(0))), NOW, 30) == "no_credentials"
    assert panel.status(Snapshot(last_error=FetchError("network_error", "", at(0))), NOW, 30) == "error"


def test_durations() -> None:
    assert [panel.duration(s) for s in (5, 600, 3600, 6000, 86400, 2 * 86400 + 3 * 3600 + 59)] == [
        "5s", "10m", "1h", "1h 40m", "1d", "2d 3h"]


# --- watch's pure parts and print_once, against a real cache directory ---------------------


def save(paths_mode: str, snapshot: Snapshot) -> Path:
    from statusline.cache import lineview

    acct = resolve().account_dir(paths_mode)
    store.save_snapshot(acct, snapshot, lineview.build(snapshot, ttl=30, cred_sig=None))
    return acct


class Pipe(io.StringIO):
    def isatty(self) -> bool:
        return False


def test_print_once_plain_when_not_a_tty(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    save("auto", CODE.replace(usage_fetched_at=datetime.fromtimestamp(time.time(), UTC)))
    spawned: list[tuple] = []
    monkeypatch.setattr(spawn, "spawn_fetcher", lambda *a: spawned.append(a))
    out = Pipe()
    assert watch.print_once(resolve(), "auto", out=out, env={"COLORTERM": "truecolor"}) == 0
    text = out.getvalue().rstrip("\n")
    assert "\x1b" not in text
    check_box(text, 80, "Claude Code Usage")
    assert cell_len(text.split("\n")[0]) == panel.BOX_MAX
    assert spawned == []  # fresh: no fetcher


def test_print_once_json_and_refresh_when_stale(monkeypatch: pytest.MonkeyPatch) -> None:
    save("auto", CODE)  # fetched in 2025: long stale
    spawned: list[tuple] = []
    monkeypatch.setattr(spawn, "spawn_fetcher", lambda *a: spawned.append(a))
    out = Pipe()
    assert watch.print_once(resolve(), "auto", json_out=True, out=out) == 0
    data = json.loads(out.getvalue())
    assert data["status"] == "stale"
    assert data["usage"]["five_hour"]["utilization"] == 78.0
    assert data["profile"]["email"] == "ada@example.com"
    assert data["schema"] == 1
    assert len(spawned) == 1 and spawned[0][0] == str(resolve().account_dir("auto")) and spawned[0][1] == "auto"


def test_print_once_without_cache_or_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spawn, "spawn_fetcher", lambda *a: None)
    out = Pipe()
    watch.print_once(resolve(), "auto", out=out, env={"HOME": str(Path.home())})
    assert "No credentials found" in out.getvalue()
    out = Pipe()
    watch.print_once(resolve(), "auto", out=out, json_out=True)
    assert json.loads(out.getvalue())["status"] == "no_credentials"


def test_panel_uses_the_line_decision_to_fetch() -> None:
    """The panel asks ``cache_view.needs_fetch`` on the same view the line reads."""
    from statusline.cache import cache_view as hot
    from statusline.cache import lineview

    def view(s: Snapshot) -> dict:
        return lineview.build(s, ttl=30, cred_sig=None)

    assert hot.needs_fetch(None, NOW, None, {})
    assert not hot.needs_fetch(view(CODE), NOW, None, {})
    assert hot.needs_fetch(view(CODE), NOW + 31, None, {})
    limited = CODE.replace(backoff=Backoff("rate_limited", 1, until=utc(NOW + 120)))
    assert not hot.needs_fetch(view(limited), NOW + 60, None, {})
    assert hot.needs_fetch(view(limited), NOW + 121, None, {})
    auth = CODE.replace(last_error=FetchError("auth_invalid", "x", utc(NOW)),
                        backoff=Backoff("auth_invalid", 1, cred_sig="5:10"))
    assert not hot.needs_fetch(view(auth), NOW + 999, "5:10", {})
    assert hot.needs_fetch(view(auth), NOW + 999, "6:10", {})  # a new login




def test_reset_windows_routines_credits_spend_and_no_limits() -> None:
    """A window past its reset reads 0; routines, uncapped credits, a spend limit and an
    account with no plan limits each get their row."""
    from statusline.core.model import ExtraUsage, Spend

    u = Usage(five_hour=Window(80.0, utc(NOW - 60)), seven_day=Window(41.0, utc(NOW + 86400)),
              routines=Window(55.0, utc(NOW + 86400)))
    text = panel.render_text(CODE.replace(usage=u), NOW, ttl=30, width=60, color=False)
    assert "5-Hour:" in text and "  0%" in text and "80%" not in text and "Routines Weekly:" in text
    credits = Usage(extra=ExtraUsage(True, None, 12.34, None), spend=Spend(104.0, 52.0, 50.0, period="month"))
    text = panel.render_text(CODE.replace(usage=credits), NOW, ttl=30, width=60, color=False)
    assert "Credits used: $12.34 (no monthly cap)" in text and "Spend limit:" in text
    assert "Spent this month: $52.00 / $50.00" in text
    text = panel.render_text(CODE.replace(usage=Usage(no_limits=True)), NOW, ttl=30, width=60, color=False)
    assert "No plan limits" in text and "Waiting" not in text


def test_console_auth_advice_names_the_admin_key() -> None:
    snap = Snapshot(mode="console", last_error=FetchError("auth_invalid", "HTTP 401", utc(NOW)))
    text = panel.render_text(snap, NOW, ttl=300, width=60, color=False)
    assert "Admin API key rejected" in text and "run `claude`" not in text


@pytest.mark.parametrize("raw, said", [
    ("default_claude_max_5x", "Max 5x"), ("default_claude_max_20x", "Max 20x"), ("default_claude_pro", "Pro"),
    ("default_claude_ai", "Free"), ("enterprise_custom_tier", "enterprise_custom_tier"),
    ("default_claude_max_fast", "default_claude_max_fast"),
])
def test_tier_as_a_person_says_it(raw: str, said: str) -> None:
    assert panel.tier_name(raw) == said
