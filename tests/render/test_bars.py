"""``--format i3blocks`` and ``--format xbar`` read as their documented grammars read them.

i3blocks (and polybar's custom/script): the output's lines are full_text, short_text, color.
xbar/SwiftBar: one item a line, ``text | key=value ...``; the first ``|`` starts the
parameters, ``---`` alone separates the title from the dropdown, a leading ``--`` makes a
submenu item. A hostile model name from the API must not add a line, a field, a parameter
or an action.
"""

from __future__ import annotations

import re
import shlex

import pytest
from apiserver import Reply, usage_body
from conftest import write_credentials
from helpers import LINE, fetch, line

from statusline.render import bars, segments

NOW = 1_800_000_000.0
HOSTILE = "Op|us bash=/bin/rm param1=-rf\n---\n--Evil | bash=/bin/sh %{F#f00}%{A1:rm:}x"
XBAR_KEYS = {"color", "font", "size", "trim", "emojize", "symbolize", "bash", "param1", "terminal", "refresh"}


def r(key, name, util, resets, observed=NOW - 5, source="api"):
    return (key, name, util, resets, observed, source)


def view(windows):
    return {"v": 2, "mode": "code", "fetched": NOW - 5, "ttl": 30.0, "status": "ok", "windows": windows}


def xbar_items(out: str) -> list[tuple[str, dict[str, str]]]:
    """The plugin output as xbar parses it: (text, params); ``---`` as ("---", {})."""
    items = []
    for raw in out.split("\n"):
        if raw == "---":
            items.append(("---", {}))
            continue
        text, bar, params = raw.partition("|")
        assert bar, f"an item without parameters: {raw!r}"
        words = shlex.split(params)
        assert all("=" in w for w in words), raw
        items.append((text.rstrip(" "), dict(w.split("=", 1) for w in words)))
    return items


def test_i3blocks_three_lines_colour_per_level():
    out = bars.i3blocks(segments.build(view([r("five_hour", None, 85.0, NOW + 600),
                                             r("seven_day", None, 41.0, None)]), NOW, "plain"))
    full, short, colour = out.split("\n")
    assert full == "5h 85% \u21bb10m \u00b7 7d 41%" and short == "5h 85% \u21bb10m"
    assert colour == bars.COLOURS["high"] and re.fullmatch("#[0-9A-F]{6}", colour)
    ok = bars.i3blocks(segments.build(view([r("five_hour", None, 5.0, None)]), NOW, "plain")).split("\n")
    assert ok[2] == bars.COLOURS["ok"]
    message = bars.i3blocks(segments.build(None, NOW, "plain", has_credentials=False)).split("\n")
    assert message[0] == "claude: no credentials" and message[2] == bars.COLOURS["warn"]


def test_i3blocks_outside_text_stays_in_its_field():
    out = bars.i3blocks(segments.build(view([r("scoped", HOSTILE, 91.0, None)]), NOW, "plain"))
    lines = out.split("\n")
    assert len(lines) == 3 and lines[2] == bars.COLOURS["high"]
    assert "%{" not in out  # no polybar tag
    assert "Op|us" in lines[0]  # i3blocks gives | no meaning: it is shown as it is


def test_xbar_grammar_holds_with_a_hostile_name():
    spans = segments.build(view([r("five_hour", None, 78.0, NOW + 6000), r("scoped", HOSTILE, 91.0, None)]),
                           NOW, "plain")
    out = bars.xbar(spans, bars.view_rows(view([r("five_hour", None, 78.0, NOW + 6000),
                                               r("scoped", HOSTILE, 91.0, None)]), NOW),
                    [("Refresh", "bash=/usr/bin/claude-usage param1=refresh terminal=false refresh=true")])
    items = xbar_items(out)
    title, params = items[0]
    assert title.startswith("5h 78%") and "Op\u00a6us bash=/bin/rm" in title
    assert params["color"] == bars.COLOURS["high"]
    assert items[1] == ("---", {})
    for text, params in items:
        assert set(params) <= XBAR_KEYS, params
        assert not text.startswith("--") or text == "---", text
        if text != "Refresh":
            assert "bash" not in params and "param1" not in params, (text, params)
    assert [t for t, p in items if "bash" in p] == ["Refresh"]
    assert items[-1][1]["bash"] == "/usr/bin/claude-usage"
    rows = [t for t, p in items[2:] if t != "---"]
    assert rows[0].startswith("5-Hour:") and "78%" in rows[0]
    assert any("resets in 1h 40m" in t for t in rows)


def test_xbar_escape_rules():
    assert bars.escape_xbar("a|b") == "a\u00a6b"
    assert bars.escape_xbar("--x") == "\u2010-x"
    assert bars.escape_xbar("a\nb\rc\x1b[31m") == "a b c?[31m"


@pytest.fixture
def hostile_api(api, home):
    write_credentials(home)
    limits = [{"kind": "weekly_scoped", "group": "weekly", "percent": 91, "severity": "warning", "resets_at": None,
               "scope": {"model": {"id": None, "display_name": HOSTILE}, "surface": None}, "is_active": True}]
    api.set("/api/oauth/usage", Reply(200, usage_body(five=78.0, seven=41.0, limits=limits)))
    assert fetch().returncode == 0
    return api


def test_line_as_xbar_plugin(hostile_api):
    r = line("--format", "xbar")
    assert r.returncode == 0, r.stderr
    items = xbar_items(r.stdout.rstrip("\n"))
    assert items[0][0].startswith("5h 78%") and "7d Op\u00a6us" in items[0][0]
    actions = {t: p for t, p in items if "bash" in p}
    assert set(actions) == {"Refresh", "Open the panel"}
    cli = str(LINE).replace("claude-usage-line", "claude-usage")
    assert actions["Refresh"]["bash"] == cli and actions["Refresh"]["param1"] == "refresh"
    assert actions["Open the panel"]["terminal"] == "true"


def test_line_as_i3blocks_block(hostile_api):
    r = line("--format", "i3blocks")
    assert r.returncode == 0, r.stderr
    full, short, colour = r.stdout.rstrip("\n").split("\n")
    assert full.startswith("5h 78%") and short.startswith("5h 78%") and "7d" not in short
    assert colour == bars.COLOURS["high"]  # the per-model 91 % is the worst level


def test_shipped_xbar_plugin_runs_the_line(hostile_api, tmp_path):
    import os
    import subprocess
    from pathlib import Path

    from helpers import BIN

    plugin = Path(__file__).resolve().parents[2] / "integrations" / "xbar" / "claude-usage.1m.sh"
    assert os.access(plugin, os.X_OK)
    env = dict(os.environ, PATH=f"{BIN}:/usr/bin:/bin")
    out = subprocess.run([str(plugin)], capture_output=True, text=True, timeout=30, env=env).stdout
    items = xbar_items(out.rstrip("\n"))
    assert items[0][0].startswith("5h 78%") and ("---", {}) in items
    missing = subprocess.run([str(plugin)], capture_output=True, text=True, timeout=30,
                             env=dict(env, PATH="/usr/bin:/bin", HOME=str(tmp_path))).stdout
    assert missing.startswith("claude: not installed | ")
