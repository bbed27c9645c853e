"""How xbar and SwiftBar read a plugin's output, re-implemented from the facts of their sources
(not their docs), to parse what ``--format xbar`` prints the way each app does. No code of
theirs is copied; each rule below names where it comes from.

xbar (matryer/xbar, ``pkg/plugins``):
- ``parse.go`` ``parseOutput``: lines split at ``\\n`` only; each line's parameters parsed
  first, and a parse error (``errParsing``) is the whole plugin's error. The first line whose
  text, trimmed, is ``---`` ends the title items; ``parseSeparator`` and the ``--`` prefix make
  separators and submenu levels; with ``trim`` (default on) the text is trimmed (Go's
  ``strings.TrimSpace``), with ``emojize`` (default on) ``:name:`` becomes an emoji.
- ``item_params.go`` ``parseParams``: the text ends at the first ``|``. ``parseParamStr``: trim;
  the key runs to the first ``=``; a value opened by ``"`` or ``'`` runs to the same quote (no
  escapes), else to the next space, else to the next ``|``, else to the end. ``setValueByKey``
  knows a fixed set of keys and ``paramN``; **any other key is an error** ("unknown
  parameter"); booleans are Go's ``strconv.ParseBool``, numbers ``ParseInt``, colours ``#RGB``,
  ``#RGBA``, ``#RRGGBB``, ``#RRGGBBAA`` or a CSS name. Defaults: dropdown, trim, emojize and ansi on.
- ``Item.DisplayText``: with ``ansi``, Go's ``strconv.Unquote`` of ``"`` + text + ``"``; when
  that fails, the text as it is.

SwiftBar (``MenuItemNode.parseLine``, ``MenuBarItem.splitScriptOutput``/``atributedTitle``/
``unescape``, ``MenuLineParameters``):
- lines split at every newline character (``CharacterSet.newlines``), empty ones dropped; the
  title items end at the first line that starts with ``---``; below it ``--`` prefixes are
  submenu levels and a line that is ``---`` (after them) is a separator.
- the text ends at the first ``|``; parameters: blanks skipped, the key to ``=`` (lowercased),
  the value quoted (to the same quote, a backslash keeping the next character with it) or to the
  next blank. Unknown keys are ignored. Defaults: trim, emojize, symbolize on; ansi and md off.
- a title is trimmed (``.whitespaces``), emojized and symbolized when those are on, then
  unescaped: ``\\n`` a line feed, ``\\t`` a tab, ``\\`` + any other character that character.

Colour names and the emoji tables are not modelled: a colour name is an error here (stricter
than xbar; our output uses none), and ``emojize``/``symbolize`` are reported, not applied.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

XBAR_KEYS = frozenset(("disabled", "key", "href", "color", "font", "size", "shell", "bash", "templateImage", "image",
                       "terminal", "refresh", "dropdown", "length", "trim", "alternate", "emojize", "ansi"))
XBAR_BOOLS = frozenset(("disabled", "terminal", "refresh", "dropdown", "trim", "alternate", "emojize", "ansi"))
XBAR_INTS = frozenset(("size", "length"))
XBAR_DEFAULTS = {"dropdown": True, "trim": True, "emojize": True, "ansi": True}
# Go's unicode.IsSpace (strings.TrimSpace): the Latin-1 blanks and Unicode's White_Space.
GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a" \
           "\u2028\u2029\u202f\u205f\u3000"
_HEX_COLOUR = re.compile(r"#(?:(?:[0-9a-f]{3}){1,2}|(?:[0-9a-f]{4}){1,2})")


class XbarError(ValueError):
    """What xbar shows instead of the whole plugin."""


@dataclass
class Item:
    text: str  # as the app shows it
    params: dict[str, object] = field(default_factory=dict)
    title: bool = False  # in the menu bar (before the first ---), else in the dropdown
    depth: int = 0
    separator: bool = False


def _go_bool(key: str, value: str) -> bool:
    if value in ("1", "t", "T", "TRUE", "true", "True"):
        return True
    if value in ("0", "f", "F", "FALSE", "false", "False"):
        return False
    raise XbarError(f'{key}: expected "true" or "false", not "{value}"')


def _go_int(key: str, value: str) -> int:
    if not re.fullmatch(r"[+-]?[0-9]+", value):
        raise XbarError(f'{key}: expected an int, not "{value}"')
    return int(value)


def _set(params: dict[str, object], key: str, value: str) -> None:
    if key in XBAR_BOOLS:
        params[key] = _go_bool(key, value)
    elif key in XBAR_INTS:
        params[key] = _go_int(key, value)
    elif key == "color":
        low = value.lower()
        if not _HEX_COLOUR.fullmatch(low):
            raise XbarError(f"color: {value!r} (a named colour is not modelled here)")
        params[key] = low
    elif key in XBAR_KEYS:
        params["shell" if key == "bash" else key] = value
    elif key.startswith("param"):
        if not re.fullmatch(r"[+-]?[0-9]+", key[5:]):
            raise XbarError(f"bad parameter: {key} (should be paramN)")
        n = int(key[5:])
        if n < 1:
            raise XbarError(f"{key}: xbar indexes its parameters from 1 (a lower one panics)")
        params.setdefault("params", {})[n] = value  # type: ignore[index]
    else:
        raise XbarError(f"unknown parameter: {key}")


def xbar_params(s: str) -> dict[str, object]:
    """``parseParamStr``: the parameters after the first ``|``, over xbar's defaults."""
    params: dict[str, object] = dict(XBAR_DEFAULTS)
    while True:
        s = s.strip(GO_SPACE)
        if not s:
            return params
        i = s.find("=")
        if i < 0:
            raise XbarError("malformed parameters: missing equals")
        split, end_str = "=", " "
        if len(s) > i + 1 and s[i + 1] in "\"'":
            end_str = s[i + 1]
            split = "=" + end_str
        offset = i + len(split)
        key = s[:i]
        if not key:
            raise XbarError("an empty key (xbar indexes it and panics)")
        if key[0] == "|":
            key = key[1:].strip(GO_SPACE)
        rest = s[offset:]
        end = rest.find(end_str)
        if end < 0:
            end = rest.find("|")
        end = len(s) if end < 0 else end + offset
        _set(params, key, s[offset:end])
        if end + 1 > len(s):
            return params
        s = s[end + 1:]


def go_unquote(quoted: str) -> str:
    """Go's ``strconv.Unquote`` of a double-quoted string: its value, or ``ValueError``."""
    raw = quoted.encode("utf-8", "surrogatepass")
    if len(raw) < 2 or raw[:1] != b'"' or raw[-1:] != b'"':
        raise ValueError("not quoted")
    inner, out, i = raw[1:-1], bytearray(), 0
    simple = {"a": 7, "b": 8, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11, "\\": 92, '"': 34}
    while i < len(inner):
        c = inner[i]
        if c in (0x22, 0x0A):  # an unescaped quote ends the string early; a newline is refused
            raise ValueError("syntax")
        if c != 0x5C:
            out.append(c)
            i += 1
            continue
        if i + 1 >= len(inner):
            raise ValueError("syntax")
        e = chr(inner[i + 1])
        i += 2
        if e in simple:
            out.append(simple[e])
        elif e in "xuU":
            n = {"x": 2, "u": 4, "U": 8}[e]
            digits = inner[i:i + n].decode("ascii", "replace")
            if len(digits) != n or not re.fullmatch("[0-9a-fA-F]+", digits):
                raise ValueError("syntax")
            v, i = int(digits, 16), i + n
            if e == "x":
                out.append(v)  # a byte, not a character
            elif v > 0x10FFFF or 0xD800 <= v <= 0xDFFF:
                raise ValueError("syntax")
            else:
                out += chr(v).encode()
        elif e in "01234567":
            digits = (e + inner[i:i + 2].decode("ascii", "replace"))
            if len(digits) != 3 or not re.fullmatch("[0-7]{3}", digits) or int(digits, 8) > 255:
                raise ValueError("syntax")
            out.append(int(digits, 8))
            i += 2
        else:
            raise ValueError("syntax")  # \' in a "..." string too
    return out.decode("utf-8", "replace")  # Go keeps invalid bytes; shown, they are U+FFFD


def _xbar_separator(src: str) -> tuple[str, bool]:
    text = src.strip(GO_SPACE)
    if text == "---":
        return "", True
    while text.startswith("--"):
        text = text[2:]
        if text == "---":
            return src[:-3], True
    return src, False


def xbar_parse(output: str) -> list[Item]:
    """The items xbar draws from ``output``; ``XbarError`` when it draws its error instead."""
    items: list[Item] = []
    lines = output.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the final newline ends the last line
    expanded, prefix = False, ""
    for n, line in enumerate(lines, 1):
        bar = line.find("|")
        text, params = (line, dict(XBAR_DEFAULTS)) if bar < 0 else (line[:bar], _at(n, line, bar))
        if not expanded and text.strip(GO_SPACE) == "---":
            expanded = True
            continue
        text, separator = _xbar_separator(text)
        while not text.startswith(prefix):
            prefix = prefix[:-2]
        if text.startswith(prefix + "--") and text[len(prefix):] != "---":
            prefix += "--"
        text = text[len(prefix):]
        if expanded and separator:
            items.append(Item("", params, False, len(prefix) // 2, True))
            continue
        if params["trim"]:
            text = text.strip(GO_SPACE)
        shown = text
        if params["ansi"]:
            try:
                shown = go_unquote('"' + text + '"')
            except ValueError:
                shown = text
        items.append(Item(shown, params, not expanded, len(prefix) // 2))
    return items


def _at(n: int, line: str, bar: int) -> dict[str, object]:
    try:
        return xbar_params(line[bar + 1:])
    except XbarError as exc:
        raise XbarError(f"line {n}: {exc}: {line!r}") from None


# --- SwiftBar ----------------------------------------------------------------------------------

SWIFT_NEWLINES = re.compile("[\n\v\f\r\x85\u2028\u2029]")  # CharacterSet.newlines
SWIFT_BLANKS = "\t \xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"


def swiftbar_params(s: str) -> dict[str, str]:
    """``MenuLineParameters.getParams``: unknown keys kept (SwiftBar ignores them)."""
    params: dict[str, str] = {}
    pos, n = 0, len(s)
    while pos < n:
        while pos < n and s[pos] in " \t":
            pos += 1
        if pos >= n:
            break
        start = pos
        while pos < n and s[pos] != "=":
            pos += 1
        if pos >= n:
            break
        key = s[start:pos].strip(SWIFT_BLANKS).lower()
        pos += 1
        while pos < n and s[pos] in " \t":
            pos += 1
        value = ""
        if pos < n and s[pos] in "\"'":
            quote, pos, escaped = s[pos], pos + 1, False
            while pos < n:
                c = s[pos]
                if escaped:
                    value += "\\" + c
                    escaped = False
                elif c == "\\":
                    escaped = True
                elif c == quote:
                    pos += 1
                    break
                else:
                    value += c
                pos += 1
        else:
            start = pos
            while pos < n and s[pos] not in " \t":
                pos += 1
            value = s[start:pos]
        params[key] = value
    return params


def _characters(text: str) -> list[str]:
    """Swift's Characters, near enough: a character with the marks and joiners that follow it."""
    out: list[str] = []
    for ch in text:
        if out and (unicodedata.category(ch) in ("Mn", "Mc", "Me") or "\ufe00" <= ch <= "\ufe0f"
                    or ch == "\u200d" or out[-1].endswith("\u200d")):
            out[-1] += ch
        else:
            out.append(ch)
    return out


def swift_unescape(title: str) -> str:
    """``MenubarItem.unescape``."""
    out, backslash = [], False
    for c in _characters(title):
        if backslash:
            backslash = False
            if c in ("n", "t"):
                out.append("\n" if c == "n" else "\t")
                continue
        elif c == "\\":
            backslash = True
            continue
        out.append(c)
    return "".join(out)


def _swift_item(line: str, title: bool, depth: int) -> Item:
    bar = line.find("|")
    text, params = (line, {}) if bar < 0 else (line[:bar], swiftbar_params(line[bar + 1:].strip(SWIFT_BLANKS)))
    flags = {"trim": params.get("trim", "").lower() != "false",
             "emojize": params.get("emojize", "").lower() != "false",
             "symbolize": params.get("symbolize", "").lower() != "false",
             "ansi": params.get("ansi", "").lower() == "true", "md": params.get("md", "").lower() == "true"}
    if flags["trim"]:
        text = text.strip(SWIFT_BLANKS)
    return Item(swift_unescape(text), {**params, **flags}, title, depth)


def swiftbar_parse(output: str) -> list[Item]:
    """The items SwiftBar draws from ``output`` (it has no error for unknown keys)."""
    lines = [ln for ln in SWIFT_NEWLINES.split(output) if ln]
    first = next((i for i, ln in enumerate(lines) if ln.startswith("---")), len(lines))
    items = [_swift_item(ln, True, 0) for ln in lines[:first]]
    for line in lines[first:]:
        level, working = 0, line
        if line != "---":
            while working.startswith("--"):
                working, level = working[2:], level + 1
                if working == "---":
                    break
        if line == "---" or working == "---":
            items.append(Item("", {}, False, level, True))
            continue
        item = _swift_item(working, False, level)
        if item.params.get("dropdown", "").lower() != "false":
            items.append(item)
    return items
