"""tmux colours that read on any status bar, seen in a real tmux.

tmux's default bar is black on green, and most themes are dark: a bare ``fg=green`` vanishes
on the first and ``fg=yellow`` is barely there. Each coloured level is therefore a chip with
its own background. These tests draw the bar of an inner tmux through a client inside an
outer tmux (as test_tmux.py does), read every cell's colours back from ``capture-pane -e``,
and require a WCAG contrast of at least 4.5:1 between each character of the segment and
what is behind it, on tmux's default style and on a dark theme. The old table (``fg=green``
on the default green bar) fails them.
"""

from __future__ import annotations

import re
import shutil

import pytest
from helpers import contrast, poll
from helpers import xterm_rgb as palette
from test_tmux import attach_from_outer, bar, load_plugin, servers, start_inner, visible  # noqa: F401

from statusline.render import dialects

# The data-level checks run everywhere; the two that draw a bar need tmux.
needs_tmux = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (apt-get install tmux)")

# xterm colour names; the RGB of each comes from helpers.xterm_rgb.
NAMES = {"black": 0, "red": 1, "green": 2, "yellow": 3, "blue": 4, "magenta": 5, "cyan": 6, "white": 7}
TERMINAL_FG, TERMINAL_BG = (0xE5, 0xE5, 0xE5), (0, 0, 0)  # a dark terminal's defaults
SGR = re.compile(r"\x1b\[([0-9;:]*)m")
MIN_CONTRAST = 4.5


def cells(line: str) -> list[tuple[str, tuple[int, int, int], tuple[int, int, int]]]:
    """Each character of a captured line with the foreground and background it is drawn in."""
    fg, bg = TERMINAL_FG, TERMINAL_BG
    out = []
    pos = 0
    for m in SGR.finditer(line + "\x1b[m"):
        out += [(ch, fg, bg) for ch in line[pos:m.start()]]
        pos = m.end()
        params = [int(p) if p else 0 for p in re.split("[;:]", m.group(1))] if m.group(1) else [0]
        i = 0
        while i < len(params):
            p = params[i]
            if p == 0:
                fg, bg = TERMINAL_FG, TERMINAL_BG
            elif 30 <= p <= 37 or 90 <= p <= 97:
                fg = palette(p - 30 if p < 90 else p - 82)
            elif 40 <= p <= 47 or 100 <= p <= 107:
                bg = palette(p - 40 if p < 100 else p - 92)
            elif p == 39:
                fg = TERMINAL_FG
            elif p == 49:
                bg = TERMINAL_BG
            elif p in (38, 48) and i + 1 < len(params):
                if params[i + 1] == 5 and i + 2 < len(params):
                    colour, i = palette(params[i + 2]), i + 2
                elif params[i + 1] == 2 and i + 4 < len(params):
                    colour, i = (params[i + 2], params[i + 3], params[i + 4]), i + 4
                else:
                    colour = fg if p == 38 else bg
                if p == 38:
                    fg = colour
                else:
                    bg = colour
            i += 1
    return out


def style_colours(style: str) -> tuple[tuple[int, int, int] | None, tuple[int, int, int] | None]:
    """(fg, bg) of a tmux style such as ``fg=colour231,bg=colour22``; None where unset."""
    found: dict[str, tuple[int, int, int]] = {}
    for part in style.replace(" ", ",").split(","):
        key, _, value = part.partition("=")
        if key in ("fg", "bg"):
            n = int(value[6:]) if value.startswith("colour") else NAMES[value]
            found[key] = palette(n)
    return found.get("fg"), found.get("bg")


def worst_contrast(line: str, start: str, end: str) -> tuple[float, str]:
    """The lowest contrast over the visible characters from ``start`` to the end of ``end``."""
    drawn = cells(line)
    text = "".join(ch for ch, _, _ in drawn)
    a, b = text.index(start), text.index(end, text.index(start)) + len(end)
    worst = min((contrast(fg, bg), ch) for ch, fg, bg in drawn[a:b] if not ch.isspace())
    return worst


def test_every_coloured_level_is_a_readable_chip() -> None:
    """Data level: every styled level sets its own background, with enough contrast."""
    for level, style in dialects.TMUX.items():
        fg, bg = style_colours(style)
        assert fg is not None and bg is not None, f"{level}: {style} depends on the bar's colours"
        assert contrast(fg, bg) >= MIN_CONTRAST, (level, style, round(contrast(fg, bg), 2))


def test_the_checks_catch_the_old_table() -> None:
    """The contrast check would have failed the old foreground-only colours on the default bar."""
    default_bar = palette(NAMES["green"])
    for old in ("fg=green", "fg=yellow"):
        fg, _ = style_colours(old)
        assert fg is not None and contrast(fg, default_bar) < MIN_CONTRAST, old
    line = "\x1b[30m\x1b[42m x \x1b[32m5h 78%\x1b[30m"
    assert worst_contrast(line, "5h", "%")[0] < 1.5


def test_styles_from_the_environment() -> None:
    table = dialects.tmux_styles("warn=fg=black,bg=yellow; ok=none;crit=fg=red]#(touch x);bogus=fg=red")
    assert table["warn"] == "fg=black,bg=yellow"
    assert "ok" not in table  # 'none': the bar's own colours
    assert table["crit"] == dialects.TMUX["crit"]  # refused: it could end the style
    assert "bogus" not in table and dialects.tmux_styles(None) == dialects.TMUX


THEMES = [
    pytest.param(None, id="tmux-default-black-on-green"),
    pytest.param("bg=colour235,fg=colour250", id="dark-theme"),
    pytest.param("bg=colour254,fg=colour236", id="light-theme"),
]


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.realprog
@needs_tmux
def test_segment_reads_well_on_the_bar(warm, servers, theme) -> None:  # noqa: F811
    inner = start_inner(servers)
    if theme:
        inner("set-option", "-g", "status-style", theme)
    else:
        assert inner("show-option", "-gv", "status-style").strip() == "bg=green,fg=black"
    load_plugin(inner, "#{claude_usage} |end")
    outer = attach_from_outer(servers, inner)
    shown = poll("the segment", lambda: bar(outer), lambda s: "7d 41%" in visible(s))
    print(f"tmux bar ({theme or 'default style'}):", visible(shown).strip())
    print("  with its escapes:", repr(shown[shown.index("\x1b[", max(0, shown.index("5h") - 40)):]))
    worst, ch = worst_contrast(shown, "5h 78%", "7d 41%")
    assert worst >= MIN_CONTRAST, f"{ch!r} drawn at contrast {worst:.2f}:1 in {shown!r}"
    # the levels are still told apart: the 78 % (warn) and the 41 % (ok) chips differ
    drawn = cells(shown)
    text = "".join(c for c, _, _ in drawn)
    assert drawn[text.index("78%")][2] != drawn[text.index("41%")][2]


@pytest.mark.realprog
@needs_tmux
def test_style_options_reach_the_bar(warm, servers) -> None:  # noqa: F811
    inner = start_inner(servers)
    inner("set-option", "-g", "@claude_usage_style_warn", "fg=colour231,bg=colour19")
    inner("set-option", "-g", "@claude_usage_style_ok", "none")
    status = load_plugin(inner, "#{claude_usage} |end")
    assert "CLAUDE_USAGE_TMUX_STYLES='ok=none;warn=fg=colour231,bg=colour19' " in status, status
    outer = attach_from_outer(servers, inner)
    shown = poll("the segment", lambda: bar(outer), lambda s: "7d 41%" in visible(s))
    drawn = cells(shown)
    text = "".join(c for c, _, _ in drawn)
    assert drawn[text.index("78%")][1:] == (palette(231), palette(19)), repr(shown)
    assert drawn[text.index("41%")][1:] == (palette(0), palette(2)), repr(shown)  # the bar's black on green
