"""Every whole-line message the line can print is in the README's table, and every message the
table lists is one the code can print."""

from __future__ import annotations

import re
from pathlib import Path

from statusline.render import segments

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def code_messages() -> set[str]:
    words = set(segments.ERROR_WORDS.values()) | set(segments.CONSOLE_WORDS.values())
    notes = {"cache dir not writable", "cannot start fetcher"}  # cache_view's spawn problems
    return ({"claude: " + w for w in words | notes}
            | {"claude \u2026", "claude: ?", "claude: no plan limits"})


def readme_messages() -> set[str]:
    section = README[README.index("When there are no numbers yet"):]
    section = section[:section.index("\n\n", section.index("|---|"))]
    found = set()
    for cell in re.findall(r"^\| (.+?) \| ", section, re.M):
        found |= {m for m in re.findall(r"`([^`]+)`", cell) if m.startswith("claude")}
    return {m for m in found if "\u23f8" not in m}  # the pause form carries a live duration


def test_the_readme_lists_exactly_the_messages_the_code_prints():
    assert readme_messages() == code_messages()


def test_each_error_word_is_what_the_line_prints():
    view = {"v": 2, "mode": "code", "fetched": None, "ttl": 30.0, "windows": [], "status": "network_error"}
    spans = segments.build(view, 1_800_000_000.0)
    assert "".join(t for t, _ in spans) == "claude: offline"
