"""The powerline style in a real tmux bar: the plugin's ``@claude_usage_line_style`` option,
the bar drawn by a real client inside a second tmux, read back with ``capture-pane -e``.

Each segment must sit on its level's background (gold behind ``5h 78%``, green behind
``7d 41%``), the arrow between them gold on green, and no style code may be left as text.
"""

from __future__ import annotations

import re
import shutil

import pytest
from helpers import poll
from test_tmux import attach_from_outer, bar, load_plugin, servers, start_inner, visible  # noqa: F401
from test_tmux_colours import cells, palette

pytestmark = [pytest.mark.realprog,
              pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (apt-get install tmux)")]



def cell(line: str, needle: str, offset: int = 0) -> tuple[str, tuple[int, int, int], tuple[int, int, int]]:
    """(character, foreground, background) of the cell where ``needle`` starts, plus ``offset``."""
    drawn = cells(line)
    text = "".join(ch for ch, _, _ in drawn)
    return drawn[text.index(needle) + offset]


@pytest.mark.parametrize("glyphs", ["plain", "ascii"])
def test_powerline_in_a_real_tmux_bar(warm, servers, glyphs) -> None:  # noqa: F811
    inner = start_inner(servers)
    inner("set-option", "-g", "@claude_usage_line_style", "powerline")
    inner("set-option", "-g", "@claude_usage_glyphs", glyphs)
    status = load_plugin(inner, "#{claude_usage}|end")
    assert "--style powerline" in status, status
    outer = attach_from_outer(servers, inner)
    shown = poll("the powerline segment", lambda: bar(outer), lambda s: "7d 41%" in visible(s))
    print(f"tmux powerline bar ({glyphs}), capture-pane -e:", repr(shown))
    print(f"tmux powerline bar ({glyphs}), as seen:", visible(shown).strip())
    text = visible(shown)
    assert " 5h 78% " in text and " 7d 41% " in text and "|end" in text
    # Gold behind the 78 % (warn), green behind the 41 % (ok), in the colours the themes name.
    gold, green, white, black = palette(220), palette(22), palette(231), palette(16)
    assert cell(shown, "5h 78%")[1:] == (black, gold)
    assert cell(shown, "7d 41%")[1:] == (white, green)
    if glyphs == "plain":
        # Left-pointing arrows on status-right: the green segment's arrow, green on gold.
        assert cell(shown, "7d 41%", -2) == ("\ue0b2", green, gold)
    else:
        assert not re.search("[\ue000-\uf8ff]", text)
    for raw in ("#[fg", "#[default", "#(", "[38;5"):
        assert raw not in text, (raw, text)
