"""config.toml written back by ``claude-usage configure``: the user's comments, order and
spelling kept (tomlkit's round trip), and only the keys that changed touched.

``apply`` and ``diff`` are pure (text in, text out); ``read`` and ``save`` go through
``cache/safefiles``, the one opener and the one atomic writer: the line, a prompt or Claude
Code reading the file at that moment see the old text or the new one, never half of either.
The next line sees the change at once: it compiles config.toml again whenever the file's
signature changes (``cache_view.line_config``).
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from typing import Any

import tomlkit

from statusline.cache import config, safefiles

WIDE = 72  # an array longer than this on one line is written over several
INDENT = "    "


def read(path: str) -> str | None:
    """config.toml's text, None when there is no file (links followed, as a dotfile manager
    makes them). ``OSError`` or ``UnicodeDecodeError`` for one that cannot be read."""
    try:
        return safefiles.read_regular(path, config.FILE_LIMIT, follow=True).decode("utf-8")
    except FileNotFoundError:
        return None


def _inline(value: list[Any]) -> Any:
    array = tomlkit.array()
    array.extend(_inline(v) if isinstance(v, list) else v for v in value)
    return array


def _value(value: Any) -> Any:
    """A value as tomlkit should write it: a list on one line while it is short, else a few
    elements a line (a list of rows: one row a line), so a diff names what moved."""
    if not isinstance(value, list):
        return value
    if len(tomlkit.dumps({"k": value})) <= WIDE and not (value and isinstance(value[0], list) and len(value) > 1):
        return _inline(value)
    array = tomlkit.array()
    line: list[Any] = []
    for v in value:
        if line and (isinstance(v, list) or len(", ".join(f'"{x}"' for x in [*line, v])) > WIDE - 8):
            array.add_line(*line, indent=INDENT)
            line = []
        line.append(_inline(v) if isinstance(v, list) else v)
        if isinstance(v, list):
            array.add_line(*line, indent=INDENT)
            line = []
    if line:
        array.add_line(*line, indent=INDENT)
    array.add_line(indent="")
    return array


def apply(text: str, changes: Mapping[str, Any]) -> str:
    """``text`` with each dotted key of ``changes`` set to its value (``None``: the key taken
    out), everything else as it was. ``ValueError`` when ``text`` is not TOML, or when a table
    a key belongs in is something else (``line = 3``)."""
    doc = tomlkit.parse(text)
    for key, value in changes.items():
        table, _, leaf = key.rpartition(".")
        where: Any = doc
        if table:
            if table not in doc:
                if value is None:
                    continue
                doc.add(table, tomlkit.table())
            where = doc[table]
            if not isinstance(where, dict):
                raise ValueError(f"{table} in config.toml is not a table; correct it to [{table}] first")
        if value is None:
            if leaf in where:
                del where[leaf]
        else:
            where[leaf] = _value(value)
    return tomlkit.dumps(doc)


def diff(old: str, new: str, name: str = "config.toml") -> list[str]:
    """What changed, as unified diff lines with one line of context (no line endings)."""
    return list(difflib.unified_diff(old.splitlines(), new.splitlines(), f"{name} (before)", f"{name} (saved)",
                                     n=1, lineterm=""))


def save(path: str, text: str) -> str:
    """Write ``text`` as config.toml: atomically, through ``safefiles.write_atomic``, into a
    link's target rather than over the link; a new file 0600 (its folders 0700), an existing
    one keeping its mode. Returns the path written; ``OSError`` when it cannot be."""
    real = os.path.realpath(path)
    try:
        mode: int | None = os.stat(real).st_mode & 0o7777
    except FileNotFoundError:
        mode = None
    safefiles.makedirs_private(os.path.dirname(real))
    safefiles.write_atomic(real, text.encode("utf-8"))
    if mode is not None and mode != safefiles.FILE_MODE:
        os.chmod(real, mode)
    return real
