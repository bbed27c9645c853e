"""A small strict JSON reader for the Claude Code hook's hot path. No imports.

``import json`` costs about 8 ms (it pulls in ``re``), nearly the whole budget of a status
line that runs on every Claude Code event; the input is one small object. This reads RFC 8259
JSON into dicts, lists, str, int, float, bool and None, and rejects what ``json`` would let
through but is not JSON (NaN, Infinity), nesting deeper than ``MAX_DEPTH``, and numbers longer
than ``MAX_NUMBER``. ``decode_prefix`` stops after the first complete value, so trailing bytes
(a second object, a stdin left open) do not matter.
"""

MAX_DEPTH = 64
MAX_NUMBER = 40
_WS = " \t\n\r"
_ESC = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_NUM = set("0123456789+-.eE")


class Error(ValueError):
    pass


def decode_prefix(text):
    """(value, end): the first JSON value in ``text`` (leading white space skipped)."""
    return _value(text, _skip(text, 0), 0)


def loads(text):
    value, end = decode_prefix(text)
    if _skip(text, end) != len(text):
        raise Error("extra data")
    return value


def _skip(s, i):
    n = len(s)
    while i < n and s[i] in _WS:
        i += 1
    return i


def _value(s, i, depth):
    if i >= len(s):
        raise Error("unexpected end")
    c = s[i]
    if c == "{":
        return _object(s, i + 1, depth + 1)
    if c == "[":
        return _array(s, i + 1, depth + 1)
    if c == '"':
        return _string(s, i + 1)
    if s.startswith("true", i):
        return True, i + 4
    if s.startswith("false", i):
        return False, i + 5
    if s.startswith("null", i):
        return None, i + 4
    return _number(s, i)


def _object(s, i, depth):
    if depth > MAX_DEPTH:
        raise Error("too deep")
    out = {}
    i = _skip(s, i)
    if i < len(s) and s[i] == "}":
        return out, i + 1
    while True:
        if i >= len(s) or s[i] != '"':
            raise Error("expected a key")
        key, i = _string(s, i + 1)
        i = _skip(s, i)
        if i >= len(s) or s[i] != ":":
            raise Error("expected ':'")
        value, i = _value(s, _skip(s, i + 1), depth)
        out[key] = value
        i = _skip(s, i)
        if i < len(s) and s[i] == ",":
            i = _skip(s, i + 1)
            continue
        if i < len(s) and s[i] == "}":
            return out, i + 1
        raise Error("expected ',' or '}'")


def _array(s, i, depth):
    if depth > MAX_DEPTH:
        raise Error("too deep")
    out = []
    i = _skip(s, i)
    if i < len(s) and s[i] == "]":
        return out, i + 1
    while True:
        value, i = _value(s, i, depth)
        out.append(value)
        i = _skip(s, i)
        if i < len(s) and s[i] == ",":
            i = _skip(s, i + 1)
            continue
        if i < len(s) and s[i] == "]":
            return out, i + 1
        raise Error("expected ',' or ']'")


def _string(s, i):
    j = s.find('"', i)  # the usual string: no escape, no control character, found at C speed
    if j >= 0:
        plain = s[i:j]
        if "\\" not in plain and (not plain or min(plain) >= " "):
            return plain, j + 1
    parts = []
    n = len(s)
    while True:
        j = i
        while j < n and s[j] != '"' and s[j] != "\\" and s[j] >= " ":
            j += 1
        parts.append(s[i:j])
        if j >= n:
            raise Error("unterminated string")
        c = s[j]
        if c == '"':
            return "".join(parts), j + 1
        if c != "\\":
            raise Error("control character in string")
        if j + 1 >= n:
            raise Error("unterminated escape")
        e = s[j + 1]
        if e == "u":
            code = s[j + 2:j + 6]
            if len(code) != 4 or any(h not in "0123456789abcdefABCDEF" for h in code):
                raise Error("bad \\u escape")
            cp = int(code, 16)
            i = j + 6
            if 0xD800 <= cp < 0xDC00 and s.startswith("\\u", i):
                low = s[i + 2:i + 6]
                if len(low) == 4 and all(h in "0123456789abcdefABCDEF" for h in low):
                    lo = int(low, 16)
                    if 0xDC00 <= lo < 0xE000:
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00)
                        i += 6
            parts.append(chr(cp))
            continue
        if e not in _ESC:
            raise Error("bad escape")
        parts.append(_ESC[e])
        i = j + 2


def _number(s, i):
    j = i
    n = len(s)
    while j < n and s[j] in _NUM:
        j += 1
    tok = s[i:j]
    if not tok or j - i > MAX_NUMBER:
        raise Error("bad value")
    body = tok[1:] if tok[0] == "-" else tok
    if not body or not body[0].isdigit() or (len(body) > 1 and body[0] == "0" and body[1].isdigit()):
        raise Error("bad number")
    try:
        if "." in tok or "e" in tok or "E" in tok:
            if body.endswith((".", "e", "E", "+", "-")) or ".e" in body or ".E" in body:
                raise Error("bad number")
            return float(tok), j
        return int(tok), j
    except ValueError:
        raise Error("bad number") from None
