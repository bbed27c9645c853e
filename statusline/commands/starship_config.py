"""What Starship makes of the user's ``starship.toml``: whether it still parses once our table
is appended, and whether its ``format`` draws our module at all.

A top-level ``format`` (or ``right_format``) that names neither ``$all``, ``$custom`` nor
``${custom.claude_usage}`` draws nothing of a custom module, however it is configured: real
Starship was asked (``tests/integrations/test_starship.py`` holds it to that). Pure functions.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

SHOWN_BY = {"all", "custom", "custom.claude_usage"}  # the format variables that draw our module
_NAME = re.compile(r"[A-Za-z0-9_]+")


def _parse(data: bytes) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10 has the tomli package (a dependency there)
        import tomli as tomllib
    return tomllib.loads(data.decode("utf-8"))


def loads(data: bytes) -> dict[str, Any] | None:
    """The TOML document, or None when it does not parse."""
    try:
        return _parse(data)
    except (ValueError, UnicodeDecodeError):  # TOMLDecodeError is a ValueError
        return None


def toml_problem(before: bytes | None, after: bytes | None, table: str) -> str | None:
    """Why ``after`` (the user's file with ``table`` appended) must not be written: it would not
    parse where ``before`` did. None when it parses, or when ``before`` did not either."""
    if after is None or (before is not None and loads(before) is None):
        return None
    try:
        _parse(after)
    except (ValueError, UnicodeDecodeError) as exc:
        return f"would not be valid TOML with {table} appended ({exc})"
    return None


def variables(fmt: str) -> set[str]:
    """The variables a Starship format string names: ``$name`` and ``${name}``; ``\\$`` is a
    literal dollar."""
    found: set[str] = set()
    i = 0
    while i < len(fmt):
        if fmt[i] == "\\":
            i += 2
            continue
        if fmt[i] == "$":
            if fmt.startswith("{", i + 1) and "}" in fmt[i + 2:]:
                end = fmt.index("}", i + 2)
                found.add(fmt[i + 2:end])
                i = end + 1
                continue
            m = _NAME.match(fmt, i + 1)
            if m:
                found.add(m.group())
                i = m.end()
                continue
        i += 1
    return found


def shows(doc: dict[str, Any]) -> bool | None:
    """Whether Starship draws ``[custom.claude_usage]`` with this config; None when the format
    is not a string (Starship itself complains then)."""
    fmt, right = doc.get("format", "$all"), doc.get("right_format", "")
    if not isinstance(fmt, str) or not isinstance(right, str):
        return None
    return bool(variables(fmt + "\n" + right) & SHOWN_BY)


def hidden(path: Path, data: bytes | None) -> str | None:
    """What to add when the config at ``path``, as installed, would not show the module; else None."""
    doc = loads(data or b"")
    if doc is None or shows(doc) is not False:
        return None
    return (f"Starship will not show it yet: the format in {path} names neither $all, $custom nor "
            "${custom.claude_usage}. Add ${custom.claude_usage} to that format where the segment should go "
            "(for example just before $character), or $custom; then Starship shows it from the next prompt on.")
