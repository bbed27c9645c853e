"""``claude-usage configure``'s model (``commands/configure_model``), without a terminal: the
state config.toml describes, each edit and what it refuses, what would be written, and the
preview, which must be exactly what the real line and hook print for the saved file."""

from __future__ import annotations

import json
import os
import time
from dataclasses import replace
from pathlib import Path

import pytest
from helpers import line

from statusline.cache import cache_view, config
from statusline.commands import configure_model as model
from statusline.commands import configure_toml as writer
from statusline.core import items as item_names

PATH = "/nowhere/config.toml"


def state(text: str = "") -> model.State:
    return model.from_settings(config.parse(text, PATH))


def names(s: model.State) -> list[str]:
    return [e.name or "|" for e in s.entries if e.on or e.is_break]


def test_the_cursor_starts_on_the_first_item_of_the_line() -> None:
    s = state()
    assert s.section == "items" and s.cursor == 0 and s.entries[0] == model.Entry("five_hour", True)
    assert model.items_of(s) == item_names.DEFAULT and model.rows_of(s) == ()
    assert {e.name for e in s.entries} == set(item_names.NAMES)  # every item is listed, the rest off
    custom = state('[line]\nitems = ["model", "seven_day"]\n')
    assert custom.entries[0].name == "model" and model.items_of(custom) == ("model", "seven_day")


def test_space_toggles_the_item_under_the_cursor_and_only_that_is_written() -> None:
    s = state()
    off = model.toggle(s)
    assert off.entries[0] == model.Entry("five_hour", False) and "five_hour" not in model.items_of(off)
    assert model.changes(s, off) == {"line.items": [n for n in item_names.DEFAULT if n != "five_hour"]}
    assert model.changes(s, model.toggle(off)) == {}  # on again: nothing to write


def test_the_last_item_cannot_be_turned_off() -> None:
    s = state('[line]\nitems = ["five_hour"]\n')
    with pytest.raises(model.Refused, match="at least one item"):
        model.toggle(s)


def test_shift_reorders_and_the_cursor_follows() -> None:
    s = state('[line]\nitems = ["five_hour", "seven_day", "model"]\n')
    moved = model.shift(s, 1)
    assert model.items_of(moved)[:3] == ("seven_day", "five_hour", "model") and moved.cursor == 1
    assert model.shift(s, -1) == s  # the first stays first
    assert model.changes(s, moved) == {"line.items": ["seven_day", "five_hour", "model"]}


def test_row_breaks_make_rows_and_taking_the_last_one_out_removes_the_key() -> None:
    s = state('[line]\nrows = [["five_hour", "seven_day"], ["model", "git"]]\n'
              'items = ["five_hour", "seven_day", "model", "git"]\n')
    assert names(s) == ["five_hour", "seven_day", "|", "model", "git"]
    assert model.rows_of(s) == (("five_hour", "seven_day"), ("model", "git"))
    broken = model.row_break(model.move(s, 1))  # a row from seven_day on
    assert model.rows_of(broken) == (("five_hour",), ("seven_day",), ("model", "git"))
    assert broken.cursor == 2 and broken.entries[2].name == "seven_day"
    with pytest.raises(model.Refused, match="starts here already"):
        model.row_break(broken)
    first_out = model.toggle(replace(broken, cursor=1))  # space on a break takes it out
    assert model.rows_of(first_out) == model.rows_of(s)
    one = model.row_break(replace(first_out, cursor=2))  # r on a break too
    assert names(one) == ["five_hour", "seven_day", "model", "git"]
    assert model.rows_of(one) == () and model.changes(s, one) == {"line.rows": None}


def test_an_item_moved_across_a_break_changes_row() -> None:
    s = state('[line]\nrows = [["five_hour"], ["model", "git"]]\nitems = ["five_hour", "model", "git"]\n')
    down = model.shift(s, 1)  # five_hour past the break: into the second row
    assert model.rows_of(down) == () and model.items_of(down)[:3] == ("five_hour", "model", "git")
    assert names(down)[:4] == ["|", "five_hour", "model", "git"]


def test_no_more_rows_than_claude_codes_line_takes() -> None:
    s = state('[line]\nitems = ["five_hour", "seven_day", "extra", "pace", "status", "model", "context", '
              '"git", "cost"]\n')
    for i in range(1, config.ROWS_MAX):
        s = model.row_break(replace(s, cursor=2 * i - 1))
    assert len(model.rows_of(s)) == config.ROWS_MAX
    with pytest.raises(model.Refused, match=f"at most {config.ROWS_MAX} rows"):
        model.row_break(replace(s, cursor=len(s.entries) - 1))


def test_an_item_off_in_a_row_is_listed_where_the_row_has_it() -> None:
    """rows naming an item that [line] items leaves out: the line does not show it, so it is off."""
    s = state('[line]\nrows = [["five_hour", "cost"], ["model"]]\n')  # cost: not in the default items
    assert [(e.name, e.on) for e in s.entries[:4]] == [("five_hour", True), ("cost", False), ("", True), ("model", True)]


def test_the_settings_cycle_through_configs_own_names() -> None:
    s = model.switch(state())
    assert s.section == "settings" and model.FIELDS[s.field] == "style"
    seen = [s.style]
    for _ in item_names.STYLES:
        s = model.change(s, 1)
        seen.append(s.style)
    assert seen == [*item_names.STYLES, "plain"]
    assert model.change(model.toggle(s), -1) == s  # space is the next value
    glyphs = model.move(s, 2)
    assert glyphs.glyphs is None and model.change(glyphs, 1).glyphs == "emoji"
    g = model.change(model.change(model.change(model.change(glyphs, 1), 1), 1), 1)
    assert g.glyphs is None  # emoji, plain, ascii, then unset again
    back = state('glyphs = "ascii"\n')
    assert model.changes(back, model.change(replace(back, section="settings", field=2), 1)) == {"glyphs": None}


def test_thresholds_take_only_what_config_toml_takes() -> None:
    s = replace(state(), section="settings", field=model.FIELDS.index("warn"))
    assert model.change(s, 1).thresholds == (55.0, 80.0, 100.0)
    assert model.changes(s, model.change(s, 1)) == {"thresholds.warn": 55}  # a whole number stays one
    assert model.set_threshold(s, "crit", 99.5).thresholds == (50.0, 80.0, 99.5)
    with pytest.raises(model.Refused, match="must rise"):
        model.set_threshold(s, "warn", 80)
    with pytest.raises(model.Refused, match="0 to 1000"):
        model.set_threshold(s, "crit", 1001)
    with pytest.raises(model.Refused, match="0 to 1000"):
        model.set_threshold(s, "high", "lots")
    with pytest.raises(model.Refused, match="must rise"):
        model.change(replace(s, field=model.FIELDS.index("high")), -6)


def test_what_is_written_is_what_config_reads_back() -> None:
    s = state('[line]\nstyle = "chips"\n')
    s = model.change(replace(model.row_break(model.toggle(replace(s, cursor=2))), section="settings",
                             field=model.FIELDS.index("numbers")), 1)
    text = writer.apply('[line]\nstyle = "chips"\n', model.changes(state('[line]\nstyle = "chips"\n'), s))
    back = config.parse(text, PATH)
    assert back.problems == () and back.line_numbers == "left" and back.line_style == "chips"
    assert back.line_items == model.items_of(s) and back.line_rows == model.rows_of(s)
    assert names(model.from_settings(back)) == names(s)  # read again: the same items and breaks, in order


# --- the preview --------------------------------------------------------------------------------


def test_the_sample_input_is_claude_codes_own_recording() -> None:
    shipped = model.SAMPLE.read_text()
    recorded = (Path(__file__).resolve().parents[2] / "bench" / "statusline-input-2.1.332.json").read_text()
    assert json.loads(shipped) == json.loads(recorded)
    now = time.time()
    data = model.sample_input(now, "/x/proj")
    assert data["version"] == model.SAMPLE_VERSION and data["cwd"] == "/x/proj"
    assert data["rate_limits"]["five_hour"]["resets_at"] > now


def test_the_preview_of_an_empty_cache_draws_the_sample() -> None:
    now = time.time()
    data = model.sample_input(now)
    view = model.sample_view(data, now)
    assert model.has_usage(view) and not model.has_usage(None) and not model.has_usage({"windows": []})
    p = model.preview(config.parse("", PATH), view, True, None, data, {}, now, 120)
    assert "5h 37%" in p.prompt and "7d 61%" in p.prompt and "\x1b[" in p.prompt
    assert "#[" in p.tmux and "5h 37%" in p.tmux
    assert len(p.claude_code) == 1 and "Opus 5.5" in p.claude_code[0] and "ctx 0%" in p.claude_code[0]
    off = model.preview(config.parse('[line]\nitems = ["seven_day", "model"]\n', PATH), view, True, None, data, {},
                        now, 120)
    assert "5h" not in off.prompt and "7d 61%" in off.prompt and "Opus 5.5" not in off.prompt
    rows = model.preview(config.parse('[line]\nrows = [["five_hour"], ["model"]]\n', PATH), view, True, None, data,
                         {}, now, 120)
    assert len(rows.claude_code) == 2 and "Opus 5.5" in rows.claude_code[1]


def test_the_preview_is_what_the_line_and_the_hook_print_for_the_saved_file(warm, home: Path, tmp_path: Path) -> None:
    """The file written, then the real claude-usage-line (prompt, tmux) and --claude-code (the
    recorded input without its rate limits, so the hook draws the cache's): the same text."""
    text = '[line]\nstyle = "powerline"\ntheme = "nord"\nrows = [["seven_day", "five_hour"], ["model", "context"]]\n' \
           'items = ["seven_day", "five_hour", "model", "context"]\n[thresholds]\nwarn = 30\n'
    path = home / ".config" / "claude-usage" / "config.toml"
    path.parent.mkdir(parents=True)
    path.write_text(text)
    now = time.time()
    data = model.sample_input(now, str(tmp_path))
    view, sig, note = cache_view.load("auto", False, dict(os.environ), now)
    assert model.has_usage(view)
    p = model.preview(config.parse(text, str(path)), view, True, note, data, {}, now, 100)
    assert line("--no-refresh").stdout.rstrip("\n") == p.prompt
    assert line("--no-refresh", "--format", "tmux").stdout.rstrip("\n") == p.tmux
    quiet = {k: v for k, v in data.items() if k != "rate_limits"}
    env = dict(os.environ, COLUMNS="100")
    hooked = line("--claude-code", "--no-refresh", input=json.dumps(quiet), env=env).stdout.rstrip("\n")
    assert hooked.split("\n") == list(p.claude_code) and len(p.claude_code) == 2
    assert "5h 78%" in p.prompt and "7d 41%" in p.prompt


def test_the_preview_leaves_out_what_the_environment_overrides() -> None:
    now = time.time()
    data = model.sample_input(now)
    view = model.sample_view(data, now)
    env = {"CLAUDE_USAGE_STYLE": "chips", "CLAUDE_USAGE_NUMBERS": "left"}
    p = model.preview(config.parse("", PATH), view, True, None, data, env, now, 120)
    assert "5h 37%" in p.prompt and "left" not in p.prompt and "\ue0b6" not in p.prompt
    said = model.overrides(env)
    assert len(said) == 2 and any("CLAUDE_USAGE_STYLE=chips" in s and "style" in s for s in said)


def test_tmux_format_as_terminal_styles() -> None:
    frags = model.tmux_fragments("#[fg=colour231,bg=colour22]5h ##1#[default] · #[fg=red,bold]x#[nobold]y")
    assert frags == [("fg:#ffffff bg:#005f00", "5h #1"), ("", " · "), ("fg:ansired bold", "x"), ("fg:ansired", "y")]
    assert model.tmux_fragments("#[fg=colour3,bg=#5f00af,reverse]z") == [("fg:ansiyellow bg:#5f00af reverse", "z")]
    assert model.tmux_fragments("a #[ b") == [("", "a #[ b")]  # no closing ]: text
