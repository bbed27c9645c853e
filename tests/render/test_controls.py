"""The control rule's fast path: ``dialects`` skips the rule for text ``str.isprintable`` passes,
which is right only if every control is unprintable to it, on every code point."""

from __future__ import annotations

import sys

from statusline.core.clean import is_control
from statusline.render import dialects


def test_every_control_is_unprintable_so_the_fast_path_skips_none():
    slipped = [hex(cp) for cp in range(sys.maxunicode + 1) if is_control(chr(cp)) and chr(cp).isprintable()]
    assert slipped == []


def test_the_plain_line_loads_no_rule_module_for_printable_text():
    import subprocess

    probe = ("import sys; from statusline.render import dialects;"
             "dialects.render([('5h 78%', 'ok'), (' \u00b7 ', 'muted')], 'tmux');"
             "print('statusline.core.clean' in sys.modules)")
    r = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert r.stdout.strip() == "False", r.stdout + r.stderr


def test_text_with_a_control_still_gets_the_rule():
    assert dialects.render([("a\x1b]52;x\x07b\u202e", "ok")], "plain") == "a?]52;x?b?"
    assert dialects.pango_text("<b>\n&\u2066") == "&lt;b&gt;?&amp;?"
