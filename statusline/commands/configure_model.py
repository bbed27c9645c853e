"""``claude-usage configure``'s model: the settings it edits, the edits, and the preview.

Pure: no terminal and no file of the user's. The app (``commands/configure``) keeps one
:class:`State`, hands each key to an edit here and redraws from :func:`preview`; the writer
(``commands/configure_toml``) turns :func:`changes` into config.toml's new text. Every value is
one of config.toml's own (``cache/config``, ``core/items``) and is checked by its rules
(``config.check``, ``config.rising``), so the configurator can write nothing the line would
refuse.

The line's items are one list of entries in the line's order, each on or off, with row breaks
among them: ``[line] items`` is the entries that are on, in order, and ``[line] rows`` the
same cut at the breaks (none while there is one row). The preview draws through the very
functions the line and the hook print with (``line.draw_view``, ``hook.draw``), for a view
whose ``config`` is what the new text compiles to (``config.line_config``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from statusline.cache import cache_view, config
from statusline.commands import hook, line
from statusline.core import items as item_names
from statusline.sources import claude_code

BREAK = ""  # the name of an entry that is a row break, not an item

# The settings beside the items, in the order the screen lists them, and their keys in config.toml.
FIELDS = ("style", "theme", "glyphs", "numbers", "context", "warn", "high", "crit")
KEYS = {"style": "line.style", "theme": "line.theme", "glyphs": "glyphs", "numbers": "line.numbers",
        "context": "line.context", "warn": "thresholds.warn", "high": "thresholds.high",
        "crit": "thresholds.crit"}
LEVELS = ("warn", "high", "crit")
CHOICES: dict[str, tuple[str | None, ...]] = {
    "style": item_names.STYLES, "theme": item_names.THEMES, "glyphs": (None, *config.GLYPH_SETS),
    "numbers": item_names.NUMBERS, "context": item_names.CONTEXT}
STEP = 5.0  # a threshold moves by this much per key press

Section = Literal["items", "settings"]


class Refused(ValueError):
    """An edit the settings' rules do not allow; its message says why, for the screen."""


@dataclass(frozen=True)
class Entry:
    """One line of the items list: an item on or off, or a row break (``name == BREAK``)."""

    name: str = BREAK
    on: bool = True

    @property
    def is_break(self) -> bool:
        return self.name == BREAK


@dataclass(frozen=True)
class State:
    """Everything the configurator edits, and where its cursor is (the cursor is not saved)."""

    entries: tuple[Entry, ...]
    style: str = "plain"
    theme: str = "default"
    glyphs: str | None = None  # None: the key is absent, each target's default (plain in tmux, else emoji)
    numbers: str = "used"
    context: str = "window"
    thresholds: tuple[float, float, float] = (50.0, 80.0, 100.0)
    section: Section = "items"
    cursor: int = 0  # an index into entries
    field: int = 0  # an index into FIELDS

    def value(self, name: str) -> Any:
        """A field's value, by its name in FIELDS."""
        if name in LEVELS:
            return self.thresholds[LEVELS.index(name)]
        return getattr(self, name)


# --- from the settings, and back ---------------------------------------------------------------


def from_settings(s: config.Settings) -> State:
    """The state the file's settings describe (from ``config.parse`` with no environment). An
    item is on when the line shows it: in ``[line] items`` (or the default) and, when ``[line]
    rows`` is set, in a row; the rest follow, off, in ``core/items``' order."""
    shown = set(s.line_items)
    entries: list[Entry] = []
    if s.line_rows:
        for i, row in enumerate(s.line_rows):
            if i:
                entries.append(Entry())
            entries += [Entry(n, n in shown) for n in row]
    else:
        entries += [Entry(n) for n in s.line_items]
    placed = {e.name for e in entries}
    entries += [Entry(n, False) for n in item_names.NAMES if n not in placed]
    th = s.thresholds
    return State(entries=tuple(entries), style=s.line_style, theme=s.line_theme,
                 glyphs=s.glyphs if s.origin("glyphs") == "file" else None, numbers=s.line_numbers,
                 context=s.line_context, thresholds=(th.warn, th.high, th.crit))


def items_of(state: State) -> tuple[str, ...]:
    """``[line] items``: the items that are on, in order."""
    return tuple(e.name for e in state.entries if e.on and not e.is_break)


def rows_of(state: State) -> tuple[tuple[str, ...], ...]:
    """``[line] rows``: the items that are on, cut at the breaks; empty rows are dropped, and one
    row is no rows at all (``()``: the key is not needed)."""
    rows: list[list[str]] = [[]]
    for e in state.entries:
        if e.is_break:
            rows.append([])
        elif e.on:
            rows[-1].append(e.name)
    kept = tuple(tuple(r) for r in rows if r)
    return kept if len(kept) > 1 else ()


def changes(original: State, state: State) -> dict[str, Any]:
    """What to write: dotted config.toml key -> its new value, ``None`` for a key to remove.
    Only what differs from ``original`` (the file as read), so nothing else in it is touched."""
    out: dict[str, Any] = {}
    if items_of(state) != items_of(original):
        out["line.items"] = list(items_of(state))
    if rows_of(state) != rows_of(original):
        out["line.rows"] = [list(r) for r in rows_of(state)] or None
    for name in FIELDS:
        if state.value(name) != original.value(name):
            v = state.value(name)
            out[KEYS[name]] = int(v) if isinstance(v, float) and v.is_integer() else v
    return out


# --- the edits: each returns a new state, or raises Refused -----------------------------------


def move(state: State, delta: int) -> State:
    """The cursor up or down its section's list (it stops at either end)."""
    if state.section == "items":
        return replace(state, cursor=max(0, min(len(state.entries) - 1, state.cursor + delta)))
    return replace(state, field=max(0, min(len(FIELDS) - 1, state.field + delta)))


def switch(state: State) -> State:
    """From the items to the other settings and back."""
    return replace(state, section="settings" if state.section == "items" else "items")


def toggle(state: State) -> State:
    """Space: the item under the cursor on or off (a row break is taken out); in the settings,
    the next value."""
    if state.section == "settings":
        return change(state, 1)
    entries = list(state.entries)
    e = entries[state.cursor]
    if e.is_break:
        del entries[state.cursor]
        return replace(state, entries=tuple(entries), cursor=min(state.cursor, len(entries) - 1))
    entries[state.cursor] = replace(e, on=not e.on)
    new = replace(state, entries=tuple(entries))
    if not items_of(new):
        raise Refused("the line needs at least one item: turn another on first")
    return new


def shift(state: State, delta: int) -> State:
    """The entry under the cursor one place earlier (-1) or later (+1), the cursor with it;
    across a row break it moves into the next row."""
    if state.section != "items":
        return state
    i, j = state.cursor, state.cursor + delta
    if not 0 <= j < len(state.entries):
        return state
    entries = list(state.entries)
    entries[i], entries[j] = entries[j], entries[i]
    return replace(state, entries=tuple(entries), cursor=j)


def row_break(state: State) -> State:
    """A new row from the item under the cursor on (Claude Code draws each row as a line of its
    status; tmux and prompts join them); on a break, the break is taken out."""
    if state.section != "items":
        return state
    if state.entries[state.cursor].is_break:
        return toggle(state)
    if state.cursor == 0 or state.entries[state.cursor - 1].is_break:
        raise Refused("a row starts here already")
    if sum(e.is_break for e in state.entries) + 1 >= config.ROWS_MAX:
        raise Refused(f"Claude Code's line takes at most {config.ROWS_MAX} rows")
    entries = list(state.entries)
    entries.insert(state.cursor, Entry())
    return replace(state, entries=tuple(entries), cursor=state.cursor + 1)


def change(state: State, step: int) -> State:
    """The setting under the cursor to its next (``step`` 1) or previous (-1) value; a threshold
    by ``STEP`` percent."""
    name = FIELDS[state.field]
    if name in LEVELS:
        return set_threshold(state, name, state.value(name) + step * STEP)
    values = CHOICES[name]
    at = values.index(state.value(name)) if state.value(name) in values else 0
    changed: dict[str, Any] = {name: values[(at + step) % len(values)]}
    return replace(state, **changed)


def set_threshold(state: State, name: str, value: Any) -> State:
    """One threshold (warn, high or crit) set to ``value``, a percent from 0 to 1000 that keeps
    warn < high < crit: config.toml's own rules (``config.check``, ``config.rising``)."""
    try:
        v = float(config.check(KEYS[name], value))
    except ValueError as exc:
        raise Refused(str(exc)) from None
    th = list(state.thresholds)
    th[LEVELS.index(name)] = v
    if not config.rising(*th):
        raise Refused("the thresholds must rise: warn < high < crit (now %g, %g, %g)" % tuple(state.thresholds)
                      + "; %s %g would break that" % (name, v))
    return replace(state, thresholds=(th[0], th[1], th[2]))


# --- the preview -------------------------------------------------------------------------------

SAMPLE = Path(__file__).with_name("claude-code-input-2.1.332.json")  # what Claude Code 2.1.332 piped us
SAMPLE_VERSION = "2.1.332"
SAMPLE_FIVE_HOUR_LEFT = 5970  # the sample's 5-hour window resets 1h39m from now, whenever that is


def sample_input(now: float, cwd: str | None = None) -> dict[str, Any]:
    """Claude Code's recorded statusLine input, for the session items: its windows' resets moved
    ahead of ``now`` (keeping their spacing) and, given ``cwd``, its folders there (so ``git``
    shows this folder's branch)."""
    data = json.loads(SAMPLE.read_text(encoding="utf-8"))
    limits = data["rate_limits"]
    spacing = limits["seven_day"]["resets_at"] - limits["five_hour"]["resets_at"]
    limits["five_hour"]["resets_at"] = int(now) + SAMPLE_FIVE_HOUR_LEFT
    limits["seven_day"]["resets_at"] = int(now) + SAMPLE_FIVE_HOUR_LEFT + spacing
    if cwd is not None:
        data["cwd"] = data["workspace"]["current_dir"] = data["workspace"]["project_dir"] = cwd
    return data


def has_usage(view: Mapping[str, Any] | None) -> bool:
    """Whether a view holds anything the line draws from: a window, money, Console's costs."""
    return view is not None and bool(view.get("windows") or view.get("money") or view.get("console"))


def sample_view(data: Mapping[str, Any], now: float) -> dict[str, Any]:
    """A view made of the recorded input's rate limits alone, as the hook lays them over an empty
    cache (``cache_view.merge_harvest``): the preview's limits while the cache has none."""
    return cache_view.merge_harvest(None, {"fetched": now, "windows": claude_code.readings(data, now)}, now)


# Variables that win over config.toml where they are set: the preview shows the file's own look,
# and the screen names each one that is set (``overrides``).
OVERRIDES = {"line.style": "style", "line.theme": "theme", "glyphs": "glyphs", "line.numbers": "numbers"}


def overrides(env: Mapping[str, str]) -> list[str]:
    """A sentence for each environment variable set here that wins over a setting edited here."""
    return [f"{config.ENV[key]}={env[config.ENV[key]]} is set here: it wins over {name} where it is set"
            for key, name in OVERRIDES.items() if env.get(config.ENV[key])]


@dataclass(frozen=True)
class Preview:
    """The three lines as each target gets them: ``prompt`` and ``claude_code`` in ANSI (as
    ``claude-usage-line`` and ``--claude-code`` print them), ``tmux`` in tmux's format."""

    prompt: str
    tmux: str
    claude_code: tuple[str, ...]


def preview(settings: config.Settings, view: Mapping[str, Any], has_credentials: bool, note: str | None,
            data: Mapping[str, Any], env: Mapping[str, str], now: float, columns: int) -> Preview:
    """The lines ``settings`` give for ``view``, drawn by the line's and the hook's own functions;
    the Claude Code rows fitted to ``columns`` as Claude Code's ``COLUMNS``. The variables in
    ``OVERRIDES`` are left out, so what is shown is the file's doing."""
    env = {k: v for k, v in env.items() if k not in {config.ENV[key] for key in OVERRIDES}}
    view = dict(view, config=config.line_config(settings))

    def drawn(*argv: str) -> str:
        return line.draw_view(line.parse_args([*argv, "--no-refresh"]), view, has_credentials, note, env, now)

    rows = hook.draw(line.parse_args(["--claude-code", "--no-refresh"]), data, view,
                     dict(env, COLUMNS=str(columns)), now, has_credentials, note)
    return Preview(prompt=drawn(), tmux=drawn("--format", "tmux"), claude_code=tuple(rows))


# --- tmux's format, drawn in this terminal -----------------------------------------------------

NAMED = ("black", "red", "green", "yellow", "blue", "magenta", "cyan", "white")
CUBE = (0, 95, 135, 175, 215, 255)


def _colour(word: str) -> str | None:
    """A tmux colour as a prompt_toolkit colour: ``colour34``, ``red``, ``brightred``, ``#5f00af``;
    None for ``default`` and what tmux itself would not know."""
    word = word.lower()
    digits = word[6:] if word.startswith("colour") else word[5:] if word.startswith("color") else ""
    if digits.isdigit():
        n = int(digits)
        if n < 16:
            return ("ansi" if n < 8 else "ansibright") + NAMED[n % 8]
        if n < 232:
            n -= 16
            rgb = (CUBE[n // 36], CUBE[n // 6 % 6], CUBE[n % 6])
        elif n < 256:
            rgb = (8 + 10 * (n - 232),) * 3
        else:
            return None
        return "#%02x%02x%02x" % rgb
    if word in NAMED:
        return "ansi" + word
    if word.startswith("bright") and word[6:] in NAMED:
        return "ansibright" + word[6:]
    if len(word) == 7 and word[0] == "#" and all(c in "0123456789abcdef" for c in word[1:]):
        return word
    return None


ATTRS = {"bold": "bold", "dim": "dim", "italics": "italic", "underscore": "underline", "reverse": "reverse"}


def tmux_fragments(text: str) -> list[Any]:
    """tmux's format as (prompt_toolkit style, text) pieces: ``#[fg=…,bg=…,bold]`` and
    ``#[default]`` become styles, ``##`` one ``#``. Only what the line's dialects write
    (colours, the attributes, default) is known; anything else is left out, as tmux does."""
    out: list[Any] = []  # (style, text) pairs: prompt_toolkit's formatted text
    fg = bg = None
    attrs: set[str] = set()
    i, n = 0, len(text)
    buf: list[str] = []

    def flush() -> None:
        if buf:
            style = " ".join([*(["fg:" + fg] if fg else []), *(["bg:" + bg] if bg else []), *sorted(attrs)])
            out.append((style, "".join(buf)))
            buf.clear()

    while i < n:
        if text.startswith("##", i):
            buf.append("#")
            i += 2
            continue
        if text.startswith("#[", i) and "]" in text[i:]:
            end = text.index("]", i)
            flush()
            for word in text[i + 2:end].replace(" ", ",").split(","):
                key, _, val = word.partition("=")
                if key in ("default", "none"):
                    fg = bg = None
                    attrs.clear()
                elif key in ("fg", "bg"):
                    if key == "fg":
                        fg = _colour(val)
                    else:
                        bg = _colour(val)
                elif key in ATTRS:
                    attrs.add(ATTRS[key])
                elif key.startswith("no") and key[2:] in ATTRS:
                    attrs.discard(ATTRS[key[2:]])
            i = end + 1
            continue
        buf.append(text[i])
        i += 1
    flush()
    return out
