"""The powerline and chips styles: golden output per target, grouping, escaping, themes' contrast,
and the way a style flows from config.toml, the environment and the flags to the line."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from helpers import BIN, contrast, fetch, line
from helpers import xterm_rgb as rgb
from hostile import ESCAPES, SHELL, TMUX
from test_segments import NOW, r, view  # one view fixture for the line's renderers
from themes_golden import GOLDEN

from statusline.cache import cache_view, config
from statusline.render import dialects, segments, themes


@pytest.mark.parametrize("key", sorted(GOLDEN))
def test_golden(key):
    fmt, style, glyphs = key
    assert themes.render(segments.build(view(), NOW, glyphs), fmt, style, None, glyphs) == GOLDEN[key]


def test_powerline_arrows_change_colour_and_end_on_the_terminal():
    out = themes.render(segments.build(view(), NOW, "plain"), "ansi", "powerline")
    # warn (gold 220) -> ok (green 22): the arrow is drawn gold on green, the last green on default.
    assert "\x1b[22;38;5;220;48;5;22m\ue0b0" in out
    assert out.endswith("\x1b[22;38;5;22;49m\ue0b0\x1b[0m")


def test_two_segments_of_one_colour_get_the_thin_arrow():
    v = view(windows=[r("five_hour", None, 20.0, None), r("seven_day", None, 30.0, None)])
    out = themes.render(segments.build(v, NOW, "plain"), "ansi", "powerline")
    assert "\ue0b1" in out and out.count("\ue0b0") == 1  # thin between, the full arrow only at the end
    ascii_out = themes.render(segments.build(v, NOW, "ascii"), "ansi", "powerline", glyphs="ascii")
    assert "|" in ascii_out and not re.search("[\ue000-\uf8ff]", ascii_out)


@pytest.mark.parametrize("fmt", ["ansi", "bash", "tmux", "zsh"])
@pytest.mark.parametrize("style", ["powerline", "chips"])
def test_ascii_glyphs_draw_no_private_use_symbol(fmt, style):
    out = themes.render(segments.build(view(), NOW, "ascii"), fmt, style, "nord", "ascii")
    assert not re.search("[\ue000-\uf8ff]", out)
    assert "5h 78" in out and "7d 41" in out


def test_a_forecast_marker_is_a_segment_of_its_own_colour():
    fc = {"five_hour": {"hits": True, "eta": NOW + 1800, "eta_hm": "13:10", "resets": NOW + 6000, "rate": 30.0}}
    v = view(windows=[r("five_hour", None, 40.0, NOW + 6000)], forecast=fc)
    segs = themes.group(segments.build(v, NOW, "plain"), segments.GLYPHS["plain"]["sep"])
    assert segs == [("ok", "5h 40% \u21bb1h40m"), ("warn", "!13:10")]


# From the shared corpus: a tmux style and command, zsh's colour and %{ %}, ESC, $() and `` and
# bash's \[ \], in one name (not cut here: the view is built by hand).
HOSTILE = "Op" + "".join([TMUX[2], TMUX[0], SHELL[6], SHELL[7], ESCAPES[4], SHELL[0], SHELL[1], SHELL[11]]).replace(
    "{p}", "/tmp/x")


@pytest.mark.parametrize("style", ["powerline", "chips"])
def test_outside_text_stays_literal_in_every_target(style):
    v = view(windows=[r("scoped", HOSTILE, 91.0, None)])
    spans = segments.build(v, NOW, "plain")
    tmux = themes.render(spans, "tmux", style)
    assert "Op##[reverse]REV##[default]##(touch" in tmux and "#(touch" not in tmux.replace("##", "")
    zsh = themes.render(spans, "zsh", style)
    assert "%%F{red}red%%f%%{?[7m%%}" in zsh
    for fmt in ("ansi", "bash"):
        out = themes.render(spans, fmt, style)
        assert "\x1b[7mREV" not in out and "?[7mREV" in out  # the only escapes are our own


def test_zsh_prompt_expansion_shows_the_text(tmp_path: Path):
    """Real zsh: ``print -P`` of the themed line shows the hostile name as it is, colours as escapes."""
    zsh = __import__("shutil").which("zsh")
    if zsh is None:
        pytest.skip("zsh is not installed")
    v = view(windows=[r("scoped", "A%F{red}B%%C", 91.0, None)])
    prompt = themes.render(segments.build(v, NOW, "plain"), "zsh", "powerline")
    out = subprocess.run([zsh, "-f", "-c", 'print -rnP -- "$1"', "zsh", prompt], capture_output=True,
                         text=True, timeout=10, env={"TERM": "xterm-256color", "PATH": os.environ["PATH"]}).stdout
    assert "7d A%F{red}B%%C 91%" in re.sub(r"\x1b\[[0-9;]*m", "", out)
    assert "\x1b[48;5;208m" in out or "48;5;208" in out


def test_no_colour_and_unknown_targets_fall_back_to_the_plain_dialect():
    spans = segments.build(view(), NOW, "plain")
    assert themes.render(spans, "plain", "powerline") == dialects.render(spans, "plain")
    assert themes.render(spans, "ansi", "plain") == dialects.render(spans, "ansi")


# --- themes as data ----------------------------------------------------------------------------




@pytest.mark.parametrize("name", sorted(themes.THEMES))
def test_every_theme_reads(name):
    table = themes.THEMES[name]
    assert set(table) == {*themes.COLOURED, "text"}
    for lvl, (fg, bg, _bold) in table.items():
        assert contrast(rgb(fg), rgb(bg)) >= 4.5, (name, lvl, fg, bg)
    # The usage levels are told apart by their backgrounds.
    assert len({table[lvl][1] for lvl in ("ok", "warn", "high", "crit")}) == 4, name


def test_theme_and_style_names_agree_everywhere():
    assert tuple(themes.THEMES) == cache_view.THEMES
    from statusline.commands import line as line_cmd

    assert line_cmd.CHOICES["theme"] == cache_view.THEMES and line_cmd.CHOICES["style"] == cache_view.STYLES
    plugin = (Path(__file__).resolve().parents[2] / "integrations" / "tmux" / "claude-usage.tmux").read_text()
    assert "default default %s)" % " ".join(cache_view.THEMES[1:]) in plugin


# --- from config.toml, the environment and the flags to the line -------------------------------


def test_config_reads_and_checks_style_and_theme(tmp_path: Path):
    path = tmp_path / "config.toml"
    path.write_text('[line]\nstyle = "powerline"\ntheme = "gruvbox"\n')
    s = config.load(path, env={})
    assert (s.line_style, s.line_theme, s.problems) == ("powerline", "gruvbox", ())
    assert config.line_config(s)["style"] == "powerline" and config.line_config(s)["theme"] == "gruvbox"
    assert "style" not in config.line_config(config.load(tmp_path / "none.toml", env={}))
    path.write_text('[line]\nstyle = "arrows"\ntheme = "neon"\n')
    s = config.load(path, env={})
    assert s.line_style == "plain" and len(s.problems) == 2
    assert "plain | powerline | chips" in s.problems[0] and "nord" in s.problems[1]
    s = config.load(tmp_path / "none.toml", env={"CLAUDE_USAGE_STYLE": "chips"})
    assert s.line_style == "chips" and s.origin("line.style") == "env"


def test_look_order_flag_then_environment_then_config():
    v = {"config": {"style": "chips", "theme": "mono"}}
    assert cache_view.look({}, v, {}) == ("chips", "mono")
    assert cache_view.look({}, v, {"CLAUDE_USAGE_STYLE": "powerline"}) == ("powerline", "mono")
    assert cache_view.look({"style": "plain", "theme": "nord"}, v, {"CLAUDE_USAGE_STYLE": "powerline"}) \
        == ("plain", "nord")
    assert cache_view.look({}, None, {"CLAUDE_USAGE_STYLE": "bogus"}) == ("plain", "default")


def test_config_toml_style_reaches_the_line(warm, home: Path):
    cfg = home / ".config" / "claude-usage" / "config.toml"
    cfg.parent.mkdir(parents=True)
    cfg.write_text('[line]\nstyle = "powerline"\ntheme = "nord"\n')
    assert fetch().returncode == 0  # the fetcher compiles config.toml into the view
    out = line("--format", "tmux").stdout
    assert "\ue0b2" in out and "bg=colour222" in out, out  # nord's gold behind the 78 % segment
    assert line("--format", "tmux", "--style", "plain").stdout.count("\ue0b2") == 0
    assert "\x1b[" not in line("--format", "ansi", env=dict(os.environ, NO_COLOR="1")).stdout


def test_bad_style_flag_is_a_usage_mistake(warm):
    r = line("--style", "arrows")
    assert r.returncode == 0 and "--style" in r.stderr and "powerline" in r.stderr
    assert "5h 78%" in r.stdout


def test_plain_style_imports_no_theme_module(warm):
    code = ("import sys; from statusline.commands import line; line.main(['--format', 'tmux']); "
            "sys.stderr.write(repr(sorted(m for m in sys.modules if m.startswith('statusline.render'))))")
    plain = subprocess.run([str(BIN / "python"), "-c", code], capture_output=True, text=True, timeout=30)
    assert "statusline.render.themes" not in plain.stderr, plain.stderr
    themed = subprocess.run([str(BIN / "python"), "-c", code.replace("'tmux']", "'tmux', '--style', 'chips']")],
                            capture_output=True, text=True, timeout=30)
    assert "statusline.render.themes" in themed.stderr, themed.stderr


def test_claude_code_status_line_in_powerline(warm):
    """The hook draws the same style (ANSI, arrows pointing right), the model name included."""
    stdin = '{"model": {"display_name": "Op\\u001b[31mus %F{x}"}, "session_id": "s"}'
    out = line("--claude-code", "--style", "powerline", "--show", "model", input=stdin).stdout
    assert "\ue0b0" in out and " 5h 78% " in out, repr(out)
    assert "\x1b[31m" not in out and "Op?[31mus %F{x}" in out  # the only escapes are our own
