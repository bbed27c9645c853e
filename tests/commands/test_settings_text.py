"""settings.json edited as text (``statusline.commands.settings_text``): the member setup sets is
written the way the file writes its members, and taking it out again gives back every byte."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from statusline.commands import settings_text

ENTRY = {"type": "command", "command": "/a b/claude-usage-line --claude-code || /a b/fallback --claude-code",
         "padding": 0, "refreshInterval": 30}


@pytest.mark.parametrize("text", [
    '{\n    "model": "opus",\n    "n": 1e5,\n    "s": "\\u00e9"\n}\n',  # four spaces, a number and an escape kept
    '{\n\t"model": "é",\n\t"hooks": {"Stop": []}\n}',  # tabs, no final newline, raw UTF-8
    '{"a":1,"b":[1,2]}',  # one line, no spaces
    '{"a": 1, "b": 2}\n',
    '{\r\n  "x": 1\r\n}\r\n',  # CRLF
    "{}",
    "{}\n",
])
def test_a_member_added_and_taken_out_gives_back_the_same_bytes(text: str) -> None:
    new = settings_text.with_value(text, "statusLine", ENTRY)
    assert json.loads(new) == {**json.loads(text), "statusLine": ENTRY}
    assert settings_text.with_raw(new, "statusLine", None) == text


def test_the_new_member_is_written_in_the_files_own_indent() -> None:
    four = settings_text.with_value('{\n    "model": "opus"\n}\n', "statusLine", {"type": "command"})
    assert four == '{\n    "model": "opus",\n    "statusLine": {\n        "type": "command"\n    }\n}\n'
    tabs = settings_text.with_value('{\n\t"model": "opus"\n}\n', "statusLine", {"type": "command"})
    assert tabs == '{\n\t"model": "opus",\n\t"statusLine": {\n\t\t"type": "command"\n\t}\n}\n'
    compact = settings_text.with_value('{"model":"opus"}', "statusLine", {"type": "command"})
    assert compact == '{"model":"opus","statusLine":{"type":"command"}}'
    assert settings_text.with_value("", "statusLine", {"a": 1}) == '{\n  "statusLine": {\n    "a": 1\n  }\n}\n'


def test_a_member_in_the_middle_is_replaced_in_its_place_and_put_back_as_it_was() -> None:
    text = '{\n  "a": 1,\n  "statusLine": {"command": "mine", "padding": 2},\n  "z": 1.50\n}\n'
    before = settings_text.raw_value(text, "statusLine")
    assert before == '{"command": "mine", "padding": 2}'
    new = settings_text.with_value(text, "statusLine", ENTRY)
    assert list(json.loads(new)) == ["a", "statusLine", "z"] and new.endswith('"z": 1.50\n}\n')
    assert settings_text.with_raw(new, "statusLine", before) == text


def test_an_entry_from_a_file_indented_otherwise_is_written_in_the_files_indent_now() -> None:
    """Claude Code rewrote the four-space file with two spaces: the old entry comes back in two."""
    old = '{\n        "type": "command",\n        "command": "mine"\n    }'
    now = settings_text.with_raw('{\n  "a": 1\n}\n', "statusLine", old)
    assert now == '{\n  "a": 1,\n  "statusLine": {\n    "type": "command",\n    "command": "mine"\n  }\n}\n'


def test_text_that_is_not_an_object_is_refused() -> None:
    for text in ("[1]", '"x"', "{"):
        with pytest.raises(ValueError):
            settings_text.layout(text)


keys = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=8)
values = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8),
                      lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=3),
                      max_leaves=8)


@given(st.dictionaries(keys.filter(lambda k: k != "statusLine"), values, max_size=5),
       st.sampled_from([None, 2, 4, "\t"]), st.booleans())
def test_any_settings_come_back_byte_for_byte(doc: dict, indent, ascii_only: bool) -> None:
    text = json.dumps(doc, indent=indent, ensure_ascii=ascii_only) + "\n"
    new = settings_text.with_value(text, "statusLine", ENTRY)
    assert json.loads(new) == {**doc, "statusLine": ENTRY}
    assert settings_text.with_raw(new, "statusLine", None) == text
