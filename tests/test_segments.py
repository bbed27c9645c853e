"""The line's words and colours: pure functions, fixed time."""

from __future__ import annotations

import re

import pytest

from statusline import dialects, segments

NOW = 1_800_000_000.0


def view(**kw):
    v = {"v": 1, "mode": "code", "fetched": NOW - 5, "ttl": 30.0, "status": "ok", "error": None,
         "backoff_until": None, "wait_sig": None, "cred_sig": None, "console": None, "pace": None,
         "source": "api", "at": NOW - 5,
         "windows": [("five_hour", None, 78.0, NOW + 6000), ("seven_day", None, 41.0, NOW + 3 * 86400)]}
    v.update(kw)
    return v


def plain(v, now=NOW, glyphs="emoji", **kw):
    return dialects.render(segments.build(v, now, glyphs, **kw), "plain")


def test_the_issue_example():
    assert plain(view()) == "5h 78% \u23f01h40m \u00b7 7d 41%"


@pytest.mark.parametrize("pct,lvl", [(0, "ok"), (50, "ok"), (50.9, "ok"), (51, "warn"), (80, "warn"),
                                     (81, "high"), (99.99, "high"), (100, "crit"), (130, "crit")])
def test_thresholds(pct, lvl):
    spans = segments.build(view(windows=[("five_hour", None, pct, None)]), NOW)
    assert spans[0][1] == lvl


def test_scoped_weekly_shows_when_closest_to_limit():
    ws = [("five_hour", None, 10.0, None), ("seven_day", None, 41.0, None), ("scoped", "Opus", 88.0, None),
          ("scoped", "Sonnet", 20.0, None)]
    assert plain(view(windows=ws)) == "5h 10% \u00b7 7d Opus 88%"
    ws[2] = ("scoped", "Opus", 30.0, None)
    assert plain(view(windows=ws)) == "5h 10% \u00b7 7d 41%"


def test_extra_only_accounts():
    assert plain(view(windows=[("extra", "USD", 30.8, None)])) == "extra 30%"


def test_markers_stale_rate_limited_auth():
    assert plain(view(fetched=NOW - 240)).endswith(" \u00b74m")
    assert plain(view(status="rate_limited", backoff_until=NOW + 125)).endswith("\u23f82m")
    assert "run claude" in plain(view(status="auth_expired"))
    assert plain(None, has_credentials=False) == "claude: no credentials"
    assert plain(view(windows=[], fetched=None, status="no_credentials")) == "claude: no credentials"
    assert plain(view(windows=[], fetched=None, status="auth_expired")) == "claude: login expired, run claude"
    assert plain(view(windows=[], fetched=None, status="rate_limited", backoff_until=NOW + 60)) == "claude: \u23f81m"
    assert plain(None, note="cache dir not writable") == "claude: cache dir not writable"


def test_reset_passed_and_durations():
    assert "\u23f0now" in plain(view(windows=[("five_hour", None, 78.0, NOW - 1)]))
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
