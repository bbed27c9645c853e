"""``claude-usage configure``: the line's settings edited live in the terminal, config.toml
written on ``s``.

A full-screen prompt_toolkit app: at the top a preview of the line as the prompt, tmux and
Claude Code will draw it (limits from the cache, the session's items from Claude Code's recorded
input); below it the items in the line's order and the other settings; at the bottom the keys.
Every key is one edit of ``commands/configure_model`` (pure, so the tests need no terminal);
the preview is drawn from the very text ``s`` would write (``configure_toml.apply``, read back
by ``config.parse``), by the line's and the hook's own functions. ``s`` writes through
``configure_toml.save`` and shows the diff; ``q`` and Ctrl+C leave without writing.

prompt_toolkit and tomlkit are the ``configure`` extra: ``commands/cli`` imports this module
only for this command, and says how to install them when they are missing.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from prompt_toolkit.application import Application, get_app
from prompt_toolkit.data_structures import Point
from prompt_toolkit.formatted_text import ANSI, StyleAndTextTuples, to_formatted_text
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.layout import Dimension, HSplit, Layout, VSplit, Window
from prompt_toolkit.layout.controls import FormattedTextControl
from prompt_toolkit.styles import Style

from statusline.cache import cache_view, config
from statusline.commands import configure_model as model
from statusline.commands import configure_toml as writer
from statusline.commands import hook
from statusline.render import segments
from statusline.render.dialects import escape

NEEDS_TERMINAL = "claude-usage configure: needs a terminal (stdin and stdout a terminal, TERM not dumb)"
LABEL = 13  # the preview's label column: "Claude Code  "
ITEMS_WIDTH = 28
INTERRUPTED = 130
PREVIEW_ROWS = 4  # Claude Code rows shown at most; more are counted

KEYS = {
    "items": "↑↓ move  space on/off  [ ] or shift+↑↓ reorder  r row break  tab settings  s save  q quit",
    "settings": "↑↓ move  ←→ or space change  0-9 enter: a threshold  tab items  s save  q quit",
}
STYLE = Style.from_dict({
    "title": "bold", "label": "bold", "dim": "#8a8a8a", "off": "#8a8a8a", "break": "#8a8a8a italic",
    "cursor": "reverse", "head": "bold underline", "keys": "", "key": "bold", "said": "ansiyellow",
    "add": "ansigreen", "del": "ansired", "ok": "ansigreen", "bad": "ansired bold",
})


def is_terminal(env: Mapping[str, str]) -> bool:
    """Whether there is a terminal to draw in: stdin and stdout both one, and TERM not dumb."""
    try:
        ttys = sys.stdin is not None and sys.stdout is not None and sys.stdin.isatty() and sys.stdout.isatty()
    except (ValueError, OSError):
        return False
    return bool(ttys) and env.get("TERM", "") not in ("", "dumb")


@dataclass
class Session:
    """The app's one mutable holder: the file as last read or saved, the state it describes,
    the state being edited, what the preview draws from, and the lines said below."""

    path: str
    text: str | None  # the file's text as last read or saved; None: there is no file yet
    original: model.State
    state: model.State
    view: dict
    has_credentials: bool
    note: str | None
    data: dict
    source: str
    env: Mapping[str, str]
    said: list[tuple[str, str]] = field(default_factory=list)  # (style, line) below the editor
    first_text: str | None = None  # the text before the first save, for the diff printed at exit
    saved: bool = False
    typed: str = ""  # digits typed for a threshold, not applied yet
    _drawn: tuple = ()

    def new_text(self) -> str:
        return writer.apply(self.text or "", model.changes(self.original, self.state))

    def preview(self, columns: int) -> model.Preview:
        """The preview for the current state at this width, drawn again only when either changed
        (or once a minute, for the countdowns)."""
        key = (self.new_text(), columns, int(time.time() // 60))
        if not self._drawn or self._drawn[0] != key:
            settings = config.parse(key[0], self.path)
            self._drawn = (key, model.preview(settings, self.view, self.has_credentials, self.note, self.data,
                                              self.env, time.time(), columns))
        return self._drawn[1]


def open_session(path: str, text: str | None, mode: str, env: Mapping[str, str]) -> Session:
    """The session for config.toml's ``text``: its state, and the cache's view of the limits
    (a recorded sample while the cache holds none)."""
    now = time.time()
    state = model.from_settings(config.parse(text or "", path))
    view, cred_sig, note = cache_view.load(mode, False, env, now)
    try:
        cwd: str | None = os.getcwd()
    except OSError:
        cwd = None
    data = model.sample_input(now, cwd)
    if model.has_usage(view):
        fetched = (view or {}).get("fetched")
        age = f", updated {segments.duration(now - fetched)} ago" if isinstance(fetched, (int, float)) else ""
        source = f"limits: the cache{age}"
        has_credentials = cache_view.has_credentials(env, cred_sig)
    else:
        view, has_credentials, note = model.sample_view(data, now), True, None
        source = "limits: a recorded sample (no usage in the cache yet)"
    source += f" · session items: Claude Code {model.SAMPLE_VERSION}'s recorded input"
    said = [("class:said", escape(s, "ansi")) for s in model.overrides(env)]
    problems = config.parse(text or "", path).problems
    if problems:
        said.append(("class:said", f"config.toml has {len(problems)} problem(s), kept as they are "
                                   "(claude-usage config lists them)"))
    return Session(path=path, text=text, original=state, state=state, view=dict(view or {}),
                   has_credentials=has_credentials, note=note, data=data, source=source, env=env, said=said)


# --- drawing -----------------------------------------------------------------------------------


def _columns() -> int:
    return get_app().output.get_size().columns


def title(s: Session) -> StyleAndTextTuples:
    where = escape(s.path, "ansi") + ("" if s.text is not None else " (not there yet: s creates it)")
    changed = [("class:said", "changed, not saved · ")] if model.changes(s.original, s.state) else []
    return [("class:title", " claude-usage configure "), *changed, ("class:dim", where)]


def preview_fragments(s: Session) -> StyleAndTextTuples:
    """The preview: a heading, each target's line after its label, and where the data is from."""
    width = _columns()
    fit = max(20, width - LABEL) + hook.FIT_MARGIN  # as Claude Code fits its rows in a terminal this wide
    p = s.preview(fit)
    out: StyleAndTextTuples = [("class:head", " Preview"),
                               ("class:dim", f"  prompt: ANSI · tmux: its #[…] styles drawn here · "
                                             f"Claude Code: fitted to {fit} columns\n")]

    def row(label: str, line: StyleAndTextTuples) -> None:
        out.append(("class:label", f" {label:<{LABEL - 1}}"))
        out.extend(line)
        out.append(("", "\n"))

    row("prompt", to_formatted_text(ANSI(p.prompt)))
    row("tmux", model.tmux_fragments(p.tmux))
    shown = p.claude_code[:PREVIEW_ROWS]
    for i, line in enumerate(shown):
        row("Claude Code" if i == 0 else "", to_formatted_text(ANSI(line)))
    if len(p.claude_code) > len(shown):
        row("", [("class:dim", f"… {len(p.claude_code) - len(shown)} more rows")])
    out.append(("class:dim", " " + s.source))
    return out


def preview_height(s: Session) -> int:
    rows = len(s.preview(max(20, _columns() - LABEL) + hook.FIT_MARGIN).claude_code)
    return 4 + min(rows, PREVIEW_ROWS) + (rows > PREVIEW_ROWS)


def items_fragments(s: Session) -> StyleAndTextTuples:
    """The items in the line's order, on or off, with their row breaks; the cursor's line marked."""
    focus = s.state.section == "items"
    out: StyleAndTextTuples = []
    row = 1
    for i, e in enumerate(s.state.entries):
        here = focus and i == s.state.cursor
        mark = "›" if i == s.state.cursor else " "
        if e.is_break:
            row += 1
            text, style = f"{mark} ── row {row} ──", "class:break"
        else:
            text, style = f"{mark} [{'x' if e.on else ' '}] {e.name}", "" if e.on else "class:off"
        if here:
            out.append(("[SetCursorPosition]", ""))
        out.append((style + (" class:cursor" if here else ""), text.ljust(ITEMS_WIDTH - 1)))
        out.append(("", "\n"))
    return out


def items_heading(s: Session) -> StyleAndTextTuples:
    rows = model.rows_of(s.state)
    return [("class:head", f" Items ({len(model.items_of(s.state))} on{f', {len(rows)} rows' if rows else ''})")]


def _cursor_line(s: Session) -> Point:
    return Point(x=0, y=s.state.cursor)


GLYPHS_UNSET = "(unset: plain in tmux, emoji elsewhere)"


def settings_fragments(s: Session) -> StyleAndTextTuples:
    focus = s.state.section == "settings"
    out: StyleAndTextTuples = []
    for i, name in enumerate(model.FIELDS):
        value = s.state.value(name)
        if name in model.LEVELS:
            shown = f"{value:g} %"
            if focus and i == s.state.field and s.typed:
                shown = f"{s.typed}_ (enter sets, esc cancels)"
        else:
            shown = GLYPHS_UNSET if value is None else str(value)
        here = focus and i == s.state.field
        mark = "›" if i == s.state.field else " "
        out.append(("class:cursor" if here else "", f" {mark} {name:<8} {shown}"))
        out.append(("", "\n"))
    out.append(("class:dim", "\n   a share used up to warn is green,\n   to high yellow, below crit orange,\n"
                             "   from crit red"))
    return out


def said_fragments(s: Session) -> StyleAndTextTuples:
    out: StyleAndTextTuples = []
    room = said_height(s)
    shown = s.said if len(s.said) <= room else s.said[:room - 1] + [("class:dim", f"… {len(s.said) - room + 1} more")]
    for style, text in shown:
        out += [(style, " " + text), ("", "\n")]
    return out


def said_height(s: Session) -> int:
    rows = get_app().output.get_size().rows
    return min(len(s.said), max(1, rows // 3))


def keys_fragments(s: Session) -> StyleAndTextTuples:
    return [("class:key", " keys: "), ("class:keys", KEYS[s.state.section])]


# --- keys --------------------------------------------------------------------------------------


def say(s: Session, *lines: str, style: str = "class:said") -> None:
    s.said = [(style, escape(line, "ansi")) for line in lines]


def edit(s: Session, change: Callable[[model.State], model.State]) -> None:
    """Apply one edit; a refused one leaves the state as it was and says why."""
    try:
        s.state = change(s.state)
    except model.Refused as exc:
        say(s, f"not done: {exc}", style="class:bad")
        return
    s.said = [line for line in s.said if line[0] != "class:bad"]


def save(s: Session) -> None:
    """``s``: the changes applied to the file's text as it is on disk now, checked by config's
    own rules, written atomically; the diff shown."""
    try:
        disk = writer.read(s.path)
    except (OSError, UnicodeDecodeError) as exc:
        say(s, f"not saved: cannot read {s.path}: {exc}", style="class:bad")
        return
    moved = disk != s.text  # another editor changed it since: our changes go onto its new text
    base = disk or ""
    try:
        new = writer.apply(base, model.changes(s.original, s.state))
    except ValueError as exc:
        say(s, f"not saved: {exc}", style="class:bad")
        return
    if new == base and disk is not None:
        say(s, "nothing to save: config.toml says this already")
        return
    before = config.parse(base, s.path).problems
    fresh = [p for p in config.parse(new, s.path).problems if p not in before]
    if fresh:
        say(s, f"not saved: {fresh[0]}", style="class:bad")
        return
    try:
        written = writer.save(s.path, new)
    except OSError as exc:
        say(s, f"not saved: {exc}", style="class:bad")
        return
    if not s.saved:
        s.first_text, s.saved = base, True
    s.text = new
    if moved:  # the state now describes the file as it is
        fresh_state = model.from_settings(config.parse(new, s.path))
        s.state = replace(fresh_state, section=s.state.section, field=s.state.field,
                          cursor=min(s.state.cursor, len(fresh_state.entries) - 1))
    s.original = s.state
    head = f"saved {os.path.basename(written)}: the next line, prompt and Claude Code refresh use it"
    if moved:
        head += " (it had changed on disk: the edits went onto its new text)"
    s.said = [("class:ok", escape(head, "ansi"))] + [
        ("class:add" if d.startswith("+") else "class:del" if d.startswith("-") else "class:dim", escape(d, "ansi"))
        for d in writer.diff(base, new)[2:]]


def bindings(s: Session) -> KeyBindings:
    kb = KeyBindings()

    def on(*keys: str):  # type: ignore[no-untyped-def]
        def wrap(fn):  # type: ignore[no-untyped-def]
            for key in keys:
                kb.add(key)(fn)
            return fn
        return wrap

    @on("up", "k")
    def _up(event: KeyPressEvent) -> None:
        s.typed = ""
        edit(s, lambda st: model.move(st, -1))

    @on("down", "j")
    def _down(event: KeyPressEvent) -> None:
        s.typed = ""
        edit(s, lambda st: model.move(st, 1))

    @on("space")
    def _toggle(event: KeyPressEvent) -> None:
        edit(s, model.toggle)

    @on("[", "s-up")
    def _earlier(event: KeyPressEvent) -> None:
        edit(s, lambda st: model.shift(st, -1))

    @on("]", "s-down")
    def _later(event: KeyPressEvent) -> None:
        edit(s, lambda st: model.shift(st, 1))

    @on("r")
    def _row(event: KeyPressEvent) -> None:
        edit(s, model.row_break)

    @on("tab", "s-tab")
    def _switch(event: KeyPressEvent) -> None:
        s.typed = ""
        edit(s, model.switch)

    @on("right", "+", "l")
    def _next(event: KeyPressEvent) -> None:
        if s.state.section == "settings":
            edit(s, lambda st: model.change(st, 1))

    @on("left", "-", "h")
    def _previous(event: KeyPressEvent) -> None:
        if s.state.section == "settings":
            edit(s, lambda st: model.change(st, -1))

    for digit in "0123456789":
        @on(digit)
        def _digit(event: KeyPressEvent) -> None:
            if s.state.section == "settings" and model.FIELDS[s.state.field] in model.LEVELS and len(s.typed) < 4:
                s.typed += event.data

    @on("enter")
    def _enter(event: KeyPressEvent) -> None:
        if s.typed:
            name, typed, s.typed = model.FIELDS[s.state.field], s.typed, ""
            edit(s, lambda st: model.set_threshold(st, name, int(typed)))

    @on("backspace")
    def _backspace(event: KeyPressEvent) -> None:
        s.typed = s.typed[:-1]

    @on("escape")
    def _cancel(event: KeyPressEvent) -> None:
        s.typed = ""

    @on("s")
    def _save(event: KeyPressEvent) -> None:
        s.typed = ""
        save(s)

    @on("q")
    def _quit(event: KeyPressEvent) -> None:
        event.app.exit(result=0)

    @on("c-c")
    def _interrupt(event: KeyPressEvent) -> None:
        event.app.exit(result=INTERRUPTED)

    return kb


def build(s: Session) -> Application[int]:
    items = Window(FormattedTextControl(lambda: items_fragments(s), focusable=True,
                                        get_cursor_position=lambda: _cursor_line(s)),
                   width=Dimension.exact(ITEMS_WIDTH), always_hide_cursor=True)
    body = VSplit([
        HSplit([Window(FormattedTextControl(lambda: items_heading(s)), height=1), items],
               width=Dimension.exact(ITEMS_WIDTH)),
        Window(width=1, char="│", style="class:dim"),
        HSplit([Window(FormattedTextControl([("class:head", " Look and numbers")]), height=1),
                Window(FormattedTextControl(lambda: settings_fragments(s)), always_hide_cursor=True)]),
    ])
    root = HSplit([
        Window(FormattedTextControl(lambda: title(s)), height=1),
        Window(FormattedTextControl(lambda: preview_fragments(s)), height=lambda: Dimension.exact(preview_height(s))),
        Window(height=1, char="─", style="class:dim"),
        body,
        Window(FormattedTextControl(lambda: said_fragments(s)), height=lambda: Dimension.exact(said_height(s))),
        Window(FormattedTextControl(lambda: keys_fragments(s)), height=Dimension(min=1, max=2), wrap_lines=True),
    ])
    return Application(layout=Layout(root, focused_element=items), key_bindings=bindings(s), style=STYLE,
                       full_screen=True, mouse_support=False, erase_when_done=True)


# --- the command -------------------------------------------------------------------------------


def _say(text: str) -> None:
    print(escape(text, "ansi"), file=sys.stderr)


def run(mode: str = "auto", env: Mapping[str, str] | None = None) -> int:
    """The command: 0 when left with q (saved or not), 130 after Ctrl+C, 2 without a terminal,
    1 when config.toml cannot be read or is not TOML (nothing is written then)."""
    env = os.environ if env is None else env
    if not is_terminal(env):
        _say(NEEDS_TERMINAL)
        return 2
    path = str(config.default_path(env))
    try:
        text = writer.read(path)
        writer.apply(text or "", {})
    except (OSError, UnicodeDecodeError) as exc:
        _say(f"claude-usage configure: cannot read {path}: {exc}")
        return 1
    except ValueError as exc:
        _say(f"claude-usage configure: {path} is not valid TOML ({exc}); correct it first "
             "(claude-usage config names the problem)")
        return 1
    s = open_session(path, text, mode, env)
    try:
        code = build(s).run()
    except KeyboardInterrupt:
        code = INTERRUPTED
    if s.saved and s.text is not None and s.first_text is not None:
        print(escape(f"claude-usage configure: saved {path}", "ansi"))
        for d in writer.diff(s.first_text, s.text):
            print(escape(d, "ansi"))
    elif code == INTERRUPTED:
        _say("claude-usage configure: interrupted; nothing written")
    else:
        _say("claude-usage configure: nothing written" + (" (the changes were left unsaved)"
                                                          if model.changes(s.original, s.state) else ""))
    return code
