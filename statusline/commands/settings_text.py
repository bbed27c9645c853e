"""settings.json as text: one top-level member replaced, added or taken out, every other byte kept.

Claude Code's settings.json is the user's file as much as Claude Code's: its indentation (two
spaces, four, tabs), its key order, the way each number is written, its escapes and its final
newline are theirs. Loading it and dumping it again would change all of them (``1e5`` comes back
``100000.0``, four spaces come back two). So setup edits the text itself: it finds where each
top-level member sits (``members``), and replaces one value, adds one member after the last, or
takes one out, the way the file is written (``Style``). Adding a member and taking it out again
gives back the same bytes.

Pure functions of strings; the text is one ``json.loads`` has already accepted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

_SPACE = " \t\r\n\ufeff"


@dataclass(frozen=True)
class Member:
    """A top-level ``"key": value`` of the object: where its key starts, where its value is."""
    key: str
    start: int
    value_start: int
    value_end: int


@dataclass(frozen=True)
class Layout:
    """The object's braces and its members, in the order the file holds them."""
    open: int
    close: int
    members: tuple[Member, ...]

    def find(self, key: str) -> Member | None:
        """The member ``key`` (its last one: a duplicate key is read as JSON.parse reads it)."""
        found = [m for m in self.members if m.key == key]
        return found[-1] if found else None


@dataclass(frozen=True)
class Style:
    """How the file writes its members: the indent of a top-level member (None: on one line),
    the text between a key and its value, between two members, and the line ending."""
    indent: str | None = "  "
    colon: str = ": "
    comma: str = ", "
    newline: str = "\n"
    ascii_only: bool = False


def _skip(text: str, i: int) -> int:
    while i < len(text) and text[i] in _SPACE:
        i += 1
    return i


def _string_end(text: str, i: int) -> int:
    """The index after the JSON string starting at ``text[i]`` (a ``"``)."""
    i += 1
    while text[i] != '"':
        i += 2 if text[i] == "\\" else 1
    return i + 1


def _value_end(text: str, i: int) -> int:
    """The index after the JSON value starting at ``text[i]``."""
    if text[i] == '"':
        return _string_end(text, i)
    if text[i] not in "{[":
        while i < len(text) and text[i] not in ",}]" + _SPACE:
            i += 1
        return i
    depth = 0
    while True:
        c = text[i]
        if c == '"':
            i = _string_end(text, i)
            continue
        if c in "{[":
            depth += 1
        elif c in "}]":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1


def layout(text: str) -> Layout:
    """Where the top-level object's members are. ``ValueError`` when the text is not one object."""
    try:
        i = _skip(text, 0)
        if text[i] != "{":
            raise ValueError("not a JSON object")
        opened, found = i, []
        i = _skip(text, i + 1)
        while text[i] != "}":
            if text[i] == ",":
                i = _skip(text, i + 1)
            key_end = _string_end(text, i)
            key = json.loads(text[i:key_end])
            colon = _skip(text, key_end)
            start = _skip(text, colon + 1)
            end = _value_end(text, start)
            found.append(Member(key, i, start, end))
            i = _skip(text, end)
        return Layout(opened, i, tuple(found))
    except IndexError:
        raise ValueError("the JSON object is not closed") from None


def style(text: str, where: Layout) -> Style:
    """The file's own way of writing members (two spaces, as Claude Code writes, for an empty object)."""
    newline = "\r\n" if "\r\n" in text else "\n"
    ascii_only = text.isascii()
    if not where.members:
        return Style(newline=newline, ascii_only=ascii_only)
    first = where.members[0]
    before = text[where.open + 1:first.start]
    indent = before.rsplit("\n", 1)[1] if "\n" in before else None
    colon = text[_string_end(text, first.start):first.value_start]
    comma = ", " if colon.endswith(" ") else ","  # one member: spaced as its colon is
    if len(where.members) > 1:
        comma = text[first.value_end:where.members[1].start]
        comma = comma if indent is None else ","
    return Style(indent, colon, comma, newline, ascii_only)


def value_text(value: Any, how: Style) -> str:
    """``value`` written as a top-level member's value in this style."""
    if how.indent is None:
        return json.dumps(value, separators=(how.comma, how.colon), ensure_ascii=how.ascii_only, allow_nan=False)
    body = json.dumps(value, indent=how.indent or "  ", separators=(",", how.colon), ensure_ascii=how.ascii_only,
                      allow_nan=False)
    return body.replace("\n", how.newline + how.indent)


def replaced(text: str, member: Member, value: str) -> str:
    """``text`` with ``member``'s value written as ``value`` (JSON text)."""
    return text[:member.value_start] + value + text[member.value_end:]


def added(text: str, where: Layout, key: str, value: str, how: Style) -> str:
    """``text`` with ``"key": value`` after its last member (``taken_out`` is its inverse)."""
    member = json.dumps(key, ensure_ascii=how.ascii_only) + how.colon + value
    if where.members:
        last = where.members[-1].value_end
        lead = how.comma if how.indent is None else "," + how.newline + how.indent
        return text[:last] + lead + member + text[last:]
    unit = how.indent or "  "
    return text[:where.open + 1] + how.newline + unit + member + how.newline + text[where.close:]


def taken_out(text: str, where: Layout, member: Member) -> str:
    """``text`` without ``member`` (and the comma and space that separated it)."""
    index = where.members.index(member)
    if len(where.members) == 1:
        return text[:where.open + 1] + text[where.close:]
    if index == 0:
        return text[:member.start] + text[where.members[1].start:]
    return text[:where.members[index - 1].value_end] + text[member.value_end:]


def with_value(text: str, key: str, value: Any) -> str:
    """``text`` with the top-level ``key`` set to ``value``: in its place when it is there, else
    added after the last member. An empty text is a new file, written as Claude Code writes one."""
    if not text.strip():
        text = "{}\n"
    where = layout(text)
    how = style(text, where)
    found = where.find(key)
    if found is not None:
        return replaced(text, found, value_text(value, how))
    return added(text, where, key, value_text(value, how), how)


def fits(raw: str, how: Style) -> bool:
    """Whether ``raw``, a member's value as some file wrote it, is indented as this file's members
    are (a one-line value always is): a file rewritten since with another indent is not."""
    lines = raw.splitlines()
    if len(lines) < 2:
        return True
    if how.indent is None:
        return False
    second = lines[1]
    return second[:len(second) - len(second.lstrip(" \t"))] == how.indent * 2


def with_raw(text: str, key: str, raw: str | None) -> str:
    """``text`` with the top-level ``key`` as ``raw`` JSON text, or without it when ``raw`` is None.
    A ``raw`` indented otherwise than the file is now (it was rewritten since) is written anew
    in the file's style."""
    where = layout(text)
    found = where.find(key)
    if raw is None:
        return taken_out(text, where, found) if found is not None else text
    how = style(text, where)
    if not fits(raw, how):
        raw = value_text(json.loads(raw), how)
    if found is not None:
        return replaced(text, found, raw)
    return added(text, where, key, raw, how)


def raw_value(text: str, key: str) -> str | None:
    """The top-level ``key``'s value exactly as the file writes it, or None."""
    found = layout(text).find(key) if text.strip() else None
    return None if found is None else text[found.value_start:found.value_end]

