"""``--format i3blocks`` and ``--format xbar`` read as each program reads them.

i3blocks (and polybar's custom/script): the output's lines are full_text, short_text, color.
xbar and SwiftBar: parsed by re-implementations of their own rules, taken from their sources
(``tests/menubars.py``): xbar refuses the whole plugin for one unknown key and unquotes each
text as a Go string; SwiftBar unescapes each title. A hostile model name from the API must not
add a line, a field, a parameter, an action, an escape, or a character it did not hold.
"""

from __future__ import annotations

import re

import pytest
from apiserver import Reply, usage_body
from conftest import write_credentials
from helpers import LINE, cli, fetch, line
from menubars import XBAR_DEFAULTS, XbarError, go_unquote, swiftbar_parse, xbar_parse

from statusline.render import bars, segments

NOW = 1_800_000_000.0
HOSTILE = "Op|us bash=/bin/rm param1=-rf\n---\n--Evil | bash=/bin/sh %{F#f00}%{A1:rm:}x"
# Written in a name, as a person would type them: a bidi override, an escape and a new row, for
# xbar's Unquote (with ansi on, its default) and SwiftBar's unescaping to turn into the real ones.
UNQUOTED = "O \\u202e\\x1b[5m\\n---\\n--X|\"q\"\\:smile:"  # 37 characters: the line keeps 40
OURS = {"color", "font", "size", "trim", "emojize", "symbolize", "shell", "params", "terminal", "refresh"}


def r(key, name, util, resets, observed=NOW - 5, source="api"):
    return (key, name, util, resets, observed, source)


def view(windows):
    return {"v": 2, "mode": "code", "fetched": NOW - 5, "ttl": 30.0, "status": "ok", "windows": windows}


def xbar_items(out: str) -> list[tuple[str, dict[str, object]]]:
    """The plugin output as xbar draws it: (text, the parameters set away from xbar's defaults);
    a separator as ("---", {})."""
    return [("---", {}) if it.separator else (it.text, {k: v for k, v in it.params.items()
                                                         if XBAR_DEFAULTS.get(k, None) != v})
            for it in xbar_parse(out)]


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
    assert params["color"] == bars.COLOURS["high"].lower()  # xbar lowercases a colour
    assert [it.title for it in xbar_parse(out)].count(True) == 1  # the title alone, then the dropdown
    for text, params in items:
        assert set(params) <= OURS, params
        assert not text.startswith("--") or text == "---", text
        if text != "Refresh":
            assert "shell" not in params and "params" not in params, (text, params)
    assert [t for t, p in items if "shell" in p] == ["Refresh"]
    assert items[-1][1]["shell"] == "/usr/bin/claude-usage"
    rows = [t for t, p in items[1:] if t != "---"]
    assert rows[0].startswith("5-Hour:") and "78%" in rows[0]
    assert any("resets in 1h 40m" in t for t in rows)


def test_xbar_escape_rules():
    assert bars.escape_xbar("a|b") == "a\u00a6b"
    assert bars.escape_xbar("--x") == "\u2010-x"
    assert bars.escape_xbar("  ---") == "  \u2010--"  # xbar trims before it looks for ---
    assert bars.escape_xbar("a\nb\rc\x1b[31m") == "a b c?[31m"
    assert bars.escape_xbar('a\\u202e "q"') == 'a\\\\u202e \\"q\\"'


def test_the_oracles_hold_the_facts_of_the_apps_sources():
    """What made the old output fail: xbar draws only its error for a key it does not know
    (``symbolize`` is SwiftBar's), and unquotes a text holding ``\\u202e`` into the real override."""
    with pytest.raises(XbarError, match="unknown parameter: symbolize"):
        xbar_parse("5h 78% | emojize=false symbolize=false")
    assert xbar_parse("x | emojize=false")[0].text == "x"
    assert go_unquote('"\\u202e\\x1b[5m\\n---"') == "\u202e\x1b[5m\n---"
    assert xbar_parse("a \\u202e b | emojize=false")[0].text == "a \u202e b"
    assert xbar_parse('say "hi" | emojize=false')[0].text == 'say "hi"'  # Unquote fails: shown as it is
    swift = swiftbar_parse("a \\n b \\\\ c | symbolize=false\n---\nrow | x=1")
    assert swift[0].text == "a \n b \\ c" and swift[0].params["symbolize"] is False and swift[1].separator


@pytest.mark.parametrize("swiftbar", [False, True], ids=["xbar", "swiftbar"])
def test_a_name_holding_escapes_is_shown_literally_by_both_apps(api, home, swiftbar):
    """The real ``--format xbar`` for a model name holding ``\\u202e``, ``\\x1b``, ``\\n---``, ``|``,
    quotes, a backslash and ``:name:``: xbar parses it (no unknown key) and, like SwiftBar under
    ``SWIFTBAR=1``, shows the name exactly as written: no override, no escape, no new row."""
    import os

    write_credentials(home)
    limits = [{"kind": "weekly_scoped", "percent": 91, "resets_at": None, "is_active": True,
               "scope": {"model": {"display_name": UNQUOTED}}}]
    api.set("/api/oauth/usage", Reply(200, usage_body(five=78.0, seven=41.0, limits=limits)))
    assert fetch().returncode == 0
    env = dict(os.environ, **({"SWIFTBAR": "1"} if swiftbar else {}))
    out = line("--format", "xbar", env=env).stdout
    print("xbar output:\n" + out)
    items = (swiftbar_parse if swiftbar else xbar_parse)(out)
    texts = [it.text for it in items if not it.separator]
    assert sum(it.title for it in items) == 1, items  # one title: no row came from the name
    title = items[0].text
    assert " 7d " + UNQUOTED.replace("|", "\u00a6") + " 91%" in title, title  # exactly as written
    assert [t for t in texts if "5-Hour" in t or "7-Day" in t], texts
    for text in texts:
        assert not any(ch in text for ch in "\u202e\x1b\n"), text
    if swiftbar:
        assert all(it.params["symbolize"] is False and it.params["emojize"] is False for it in items
                   if not it.separator)
    else:
        assert "symbolize" not in out
        # the same output read by SwiftBar shows the same texts
        assert [it.text for it in swiftbar_parse(out) if not it.separator] == texts


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
    actions = {t: p for t, p in items if "shell" in p}
    assert set(actions) == {"Refresh", "Open the panel"}
    cli = str(LINE).replace("claude-usage-line", "claude-usage")
    assert actions["Refresh"]["shell"] == cli and actions["Refresh"]["params"] == {1: "refresh"}
    assert actions["Open the panel"]["terminal"] is True


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
    assert items[0][0].startswith("5h 78%") and ("---", {}) in items  # a separator in the dropdown
    missing = subprocess.run([str(plugin)], capture_output=True, text=True, timeout=30,
                             env=dict(env, PATH="/usr/bin:/bin", HOME=str(tmp_path))).stdout
    assert missing.startswith("claude: not installed | ")


def test_every_target_shows_the_share_left_when_config_toml_says_so(api, home):
    """``[line] numbers = "left"`` reaches every target, not the line alone: i3blocks, xbar's
    title and dropdown, Waybar's text, tooltip and percentage, and the panel. ``--format json``
    is data and keeps the share used. The colour stays that of the share used (78 % is orange)."""
    import json
    import os

    write_credentials(home)
    api.set("/api/oauth/usage", Reply(200, usage_body(five=78.0, seven=41.0)))
    assert fetch().returncode == 0
    config = home / ".config" / "claude-usage" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('[line]\nnumbers = "left"\n')

    full, short, colour = line("--format", "i3blocks").stdout.rstrip("\n").split("\n")
    assert full.startswith("5h 22% left") and "7d 59% left" in full and colour == bars.COLOURS["warn"], full
    items = xbar_items(line("--format", "xbar").stdout.rstrip("\n"))
    assert items[0][0].startswith("5h 22% left"), items
    assert any(t.startswith("5-Hour:") and t.rstrip().endswith(" 22% left") for t, _ in items), items
    assert any(t.startswith("7-Day:") and t.rstrip().endswith(" 59% left") for t, _ in items), items
    waybar = json.loads(line("--format", "waybar").stdout)
    assert waybar["text"].startswith("5h 22% left") and waybar["percentage"] == 22, waybar
    assert "5-hour: 22% left" in waybar["tooltip"] and "7-day: 59% left" in waybar["tooltip"], waybar
    assert json.loads(line("--format", "json").stdout)["five_hour"]["utilization"] == 78.0
    panel = cli(env=dict(os.environ, COLUMNS="60")).stdout
    assert re.search(r"5-Hour:\s+\S+\s+22% left", panel) and re.search(r"7-Day:\s+\S+\s+59% left", panel), panel
    # The environment still wins over the file, in every target.
    used = dict(os.environ, CLAUDE_USAGE_NUMBERS="used")
    assert line("--format", "i3blocks", env=used).stdout.startswith("5h 78% ")
    assert re.search(r"5-Hour:\s+\S+\s+78%\s*│", cli(env=dict(used, COLUMNS="60")).stdout)
