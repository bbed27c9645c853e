"""The line's words and colours: pure functions, fixed time."""

from __future__ import annotations

import re

import pytest

from statusline.render import dialects, segments

NOW = 1_800_000_000.0


def r(key, name, util, resets, observed=NOW - 5, source="api"):
    """A reading (``statusline.core.readings``)."""
    return (key, name, util, resets, observed, source)


def view(**kw):
    v = {"v": 2, "mode": "code", "fetched": NOW - 5, "ttl": 30.0, "status": "ok", "error": None,
         "backoff_until": None, "next_call": None, "wait_sig": None, "cred_sig": None, "console": None,
         "pace": None, "money": None, "no_limits": False, "source": "api", "at": NOW - 5,
         "windows": [r("five_hour", None, 78.0, NOW + 6000), r("seven_day", None, 41.0, NOW + 3 * 86400)]}
    v.update(kw)
    return v


def plain(v, now=NOW, glyphs="emoji", **kw):
    return dialects.render(segments.build(v, now, glyphs, **kw), "plain")


def test_the_issue_example():
    assert plain(view()) == "5h 78% \u23f01h40m \u00b7 7d 41%"


@pytest.mark.parametrize("pct,lvl", [(0, "ok"), (50, "ok"), (50.9, "ok"), (51, "warn"), (80, "warn"),
                                     (81, "high"), (99.9, "high"), (99.94, "high"), (99.96, "crit"),
                                     (100, "crit"), (130, "crit")])
def test_thresholds(pct, lvl):
    spans = segments.build(view(windows=[r("five_hour", None, pct, None)]), NOW)
    assert spans[0][1] == lvl


@pytest.mark.parametrize("util,shown", [(56.99999999999999, 57), (57.00000000000001, 57), (56.94, 56),
                                        (56.96, 57), (0.04, 0), (150.0, 150), (99.9, 99)])
def test_float_noise_is_rounded_before_truncating(util, shown):
    assert plain(view(windows=[r("five_hour", None, util, None)])) == f"5h {shown}%"


def test_scoped_weekly_shows_when_closest_to_limit():
    ws = [r("five_hour", None, 10.0, None), r("seven_day", None, 41.0, None), r("scoped", "Opus", 88.0, None),
          r("scoped", "Sonnet", 20.0, None)]
    assert plain(view(windows=ws)) == "5h 10% \u00b7 7d Opus 88%"
    ws[2] = r("scoped", "Opus", 30.0, None)
    assert plain(view(windows=ws)) == "5h 10% \u00b7 7d 41%"
    ws.append(r("routines", None, 55.0, None))
    assert plain(view(windows=ws)) == "5h 10% \u00b7 7d routines 55%"


def test_credit_and_spend_only_accounts():
    credits = {"credits": {"used": 12.34, "limit": 40.0, "pct": 30.8, "currency": "USD"}, "spend": None}
    assert plain(view(windows=[], money=credits)) == "credits $12.34/$40.00"
    uncapped = {"credits": {"used": 12.34, "limit": None, "pct": None, "currency": "USD"}, "spend": None}
    assert plain(view(windows=[], money=uncapped)) == "credits $12.34"
    spend = {"credits": None, "spend": {"pct": 104.2, "used": 52.1, "limit": 50.0, "currency": "USD", "period": "month"}}
    assert plain(view(windows=[], money=spend)) == "spend 104%"


def test_no_plan_limits_is_a_state_not_an_error():
    assert plain(view(windows=[], no_limits=True)) == "claude: no plan limits"


def test_markers_stale_rate_limited_auth():
    assert plain(view(fetched=NOW - 240)).endswith(" \u00b74m")
    assert plain(view(status="rate_limited", backoff_until=NOW + 125)).endswith("\u23f83m")  # 2m05s left: a wait rounds up
    assert "run claude" in plain(view(status="auth_expired"))
    assert plain(None, has_credentials=False) == "claude: no credentials"
    assert plain(view(windows=[], fetched=None, status="no_credentials")) == "claude: no credentials"
    assert plain(view(windows=[], fetched=None, status="auth_expired")) == "claude: login expired, run claude"
    assert plain(view(windows=[], fetched=None, status="rate_limited", backoff_until=NOW + 60)) == "claude: \u23f81m"
    assert plain(None, note="cache dir not writable") == "claude: cache dir not writable"


def test_reset_passed_and_durations():
    """A window past its reset has reset: its old figure no longer holds."""
    assert plain(view(windows=[r("five_hour", None, 78.0, NOW - 1), r("seven_day", None, 41.0, NOW + 9)])) == \
        "5h 0% \u00b7 7d 41%"
    assert [segments.duration(s) for s in (5, 59 * 60, 3600, 6000, 86400 * 2 + 3600 * 3)] == ["5s", "59m", "1h", "1h40m", "2d3h"]


def test_statuses():
    assert segments.status(view(), NOW) == "ok"
    assert segments.status(view(fetched=NOW - 61), NOW) == "stale"
    assert segments.status(view(status="rate_limited", backoff_until=NOW + 1), NOW) == "rate_limited"
    assert segments.status(view(status="auth_invalid"), NOW) == "auth_expired"
    assert segments.status(None, NOW, has_credentials=False) == "no_credentials"
    assert segments.status(view(fetched=None, status="server_error", windows=[]), NOW) == "error"


def test_tmux_dialect_has_style_codes_and_no_ansi():
    out = dialects.render(segments.build(view(), NOW, "plain"), "tmux")
    assert "\x1b" not in out and f"#[{dialects.TMUX['warn']}]5h 78%#[default]" in out and "\u23f0" not in out
    assert dialects.render([("a#b", "ok")], "tmux") == f"#[{dialects.TMUX['ok']}]a##b#[default]"


def test_zsh_escapes_percent():
    out = dialects.render(segments.build(view(), NOW), "zsh")
    assert "%F{yellow}5h 78%%%f" in out
    assert re.sub(r"%F\{[^}]*\}|%f", "", out).replace("%%", "%") == plain(view())


def test_bash_wraps_escapes_as_zero_width():
    out = dialects.render([("x", "ok")], "bash")
    assert out == "\001\x1b[32m\002x\001\x1b[0m\002"


def test_no_color_keeps_escaping_but_drops_colour():
    assert dialects.render([("5%", "ok")], "zsh", color=False) == "5%%"
    assert dialects.render([("5%", "ok")], "ansi", color=False) == "5%"


def test_ascii_glyphs():
    assert plain(view(), glyphs="ascii") == "5h 78% r1h40m | 7d 41%"


def test_console_line():
    c = {"mtd": 45.23, "projected": 75.5, "rate": 2.51, "window": "1h", "email": "a@b", "month": "2026-11"}
    assert plain(view(mode="console", console=c, windows=[])) == "$45.23 MTD \u2192 $75.50 \u00b7 $2.51/h"
    c["window"] = "month"
    assert plain(view(mode="console", console=c, windows=[])).endswith("$2.51/h avg")


def test_console_auth_words_name_the_admin_key():
    v = view(mode="console", console=None, windows=[], fetched=None, status="auth_invalid")
    assert plain(v) == "claude: admin key rejected"
    c = {"mtd": 1.0, "projected": 2.0, "rate": 0.1, "window": "1h"}
    assert plain(view(mode="console", console=c, windows=[], status="auth_invalid")).endswith("key rejected")


def test_console_without_email_keeps_the_total_with_a_marker():
    c = {"mtd": 1.0, "projected": 2.0, "rate": 0.1, "window": "1h"}
    assert plain(view(mode="console", console=c, windows=[], status="no_email")).endswith("\u26a0 no email")
    assert plain(view(mode="console", console=None, windows=[], fetched=None, status="no_email")) == "claude: no email set"


def test_a_wait_rounds_up_and_a_reset_does_not():
    """Retry-After: 120 read a moment later must not say 1m: the user would retry early."""
    assert segments.wait(119.99) == "2m" and segments.wait(61) == "2m" and segments.wait(120) == "2m"
    assert segments.wait(0.2) == "1s" and segments.wait(3601) == "1h01m" and segments.wait(90001) == "1d2h"
    assert segments.duration(119.99) == "1m" and segments.duration(3601) == "1h"  # countdowns as they were
    now = 1_800_000_000.0
    view = {"v": 2, "mode": "code", "fetched": None, "ttl": 30.0, "windows": [], "status": "rate_limited",
            "backoff_until": now + 119.9}
    assert "".join(t for t, _ in segments.build(view, now, "emoji")) == "claude: \u23f82m"
