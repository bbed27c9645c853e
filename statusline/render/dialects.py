"""How each target writes colour: one escape table and one wrapper per format.

Spans are ``(text, level)``; levels are semantic (ok, warn, high, crit, stale, muted, info,
text) and only here become escape codes. Hot-path module: the environment through ``cache/oslite``.

tmux: a status bar has a colour of its own (tmux's default is black on green, themes are
mostly dark), so a foreground colour alone is unreadable somewhere: green on the default
bar vanishes, yellow on it is barely there. Each coloured level is therefore a small chip
with its own background and a foreground chosen against it (contrast >= 4.5:1, WCAG AA),
readable on any bar; separators and plain words keep the bar's own colours. Users change a
level through ``CLAUDE_USAGE_TMUX_STYLES`` (``ok=fg=black,bg=green;warn=none``), which the
tmux plugin builds from its ``@claude_usage_style_*`` options.
"""

from statusline.cache import oslite

ANSI = {"ok": "32", "warn": "33", "high": "38;5;208", "crit": "1;31", "stale": "2", "muted": "2", "info": "36"}
TMUX = {
    "ok": "fg=colour231,bg=colour22",       # white on dark green
    "warn": "fg=colour16,bg=colour220",     # black on gold
    "high": "fg=colour16,bg=colour208",     # black on orange
    "crit": "fg=colour231,bg=colour160,bold",  # white on red
    "stale": "fg=colour254,bg=colour240",   # light grey on grey
    "info": "fg=colour16,bg=colour117",     # black on light blue
}
ZSH = {"ok": "green", "warn": "yellow", "high": "208", "crit": "red", "stale": "244", "muted": "244", "info": "cyan"}

TMUX_STYLES_ENV = "CLAUDE_USAGE_TMUX_STYLES"
_STYLE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789=,#-_ ")
_tmux_cache = (None, TMUX)  # (the environment's spec, its table): parsed once per spec


def tmux_styles(spec):
    """TMUX with the levels ``spec`` overrides: ``level=style`` items joined by ``;``.

    ``none`` (or nothing) after ``=`` leaves that level in the bar's own colours. Unknown
    levels, and styles holding anything but letters, digits, ``=,#-_`` and spaces (no ``]``,
    ``[``, ``{``, ``(``: nothing that could end the style and start a tmux command), are ignored.
    """
    table = dict(TMUX)
    for item in (spec or "").split(";"):
        level, _, style = item.strip().partition("=")
        style = style.strip()
        if level not in ("ok", "warn", "high", "crit", "stale", "muted", "info", "text"):
            continue
        if not style or style == "none":
            table.pop(level, None)
        elif len(style) <= 100 and not set(style) - _STYLE_CHARS:
            table[level] = style
    return table


def _ansi(text, level, color):
    code = ANSI.get(level) if color else None
    return "\x1b[%sm%s\x1b[0m" % (code, text) if code else text


def _bash(text, level, color):
    # \001 \002 tell readline the escape has no width (the \[ \] of PS1, usable from $(...)).
    code = ANSI.get(level) if color else None
    return "\001\x1b[%sm\002%s\001\x1b[0m\002" % (code, text) if code else text


def _tmux(text, level, color, base=None):
    global _tmux_cache
    text = text.replace("#", "##")
    if not color:
        return text
    spec = oslite.environ().get(TMUX_STYLES_ENV)
    if base:  # config.toml's [tmux] first: the plugin's options (the environment) win
        spec = base + (";" + spec if spec else "")
    if spec != _tmux_cache[0]:
        _tmux_cache = (spec, tmux_styles(spec))
    style = _tmux_cache[1].get(level)
    return "#[%s]%s#[default]" % (style, text) if style else text


def _zsh(text, level, color):
    text = text.replace("%", "%%")
    colour = ZSH.get(level) if color else None
    return "%%F{%s}%s%%f" % (colour, text) if colour else text


def _plain(text, level, color):
    return text


_WRAP = {"ansi": _ansi, "bash": _bash, "tmux": _tmux, "zsh": _zsh, "plain": _plain}


def render(spans, fmt="ansi", color=True, tmux_styles=None):
    """Join spans in one dialect. Unknown formats fall back to plain text. ``tmux_styles``
    (``{level: style}``, config.toml's ``[tmux]``) changes tmux's table below the environment's.
    Controls in a span are ``?`` (``str.isprintable`` is the fast test: the usual span has none),
    so the only escapes in the line are the wrappers' own."""
    spans = [(_no_controls(text), level) for text, level in spans]
    if fmt == "tmux" and tmux_styles:
        base = ";".join("%s=%s" % kv for kv in sorted(tmux_styles.items()) if all(isinstance(x, str) for x in kv))
        return "".join(_tmux(text, level, color, base) for text, level in spans)
    wrap = _WRAP.get(fmt, _plain)
    return "".join(wrap(text, level, color) for text, level in spans)


def _no_controls(text):
    """Every control (``core/clean.is_control``: C0, DEL, C1, bidi...) as ``?``: the only escapes
    printed are our own. Text that ``str.isprintable`` passes holds none (each such character
    is unprintable to it): the usual text costs one test, and the rule's module is loaded only
    for text that may hold one."""
    if text.isprintable():
        return text
    from statusline.core.clean import is_control

    return "".join("?" if is_control(ch) else ch for ch in text)


_ESCAPE = {
    "ansi": _no_controls,
    "bash": _no_controls,
    "tmux": lambda text: _no_controls(text).replace("#", "##"),
    "zsh": lambda text: _no_controls(text).replace("%", "%%"),
}


def escape(text, fmt):
    """``text`` made literal for one target (no colour): the door the themed styles
    (``themes``) use for every text they draw."""
    return _ESCAPE.get(fmt, _no_controls)(text)


# The doors of the targets that are not a line: each takes outside text and returns it inert
# for that one target. Every writer of that target goes through its function, and only it.

def tmux_text(text):
    """Literal in any tmux format (status bar and ``display-message`` alike): controls as
    ``?`` and ``#`` doubled, so ``#(…)``, ``#{…}`` and ``#[…]`` are shown, never run."""
    return _no_controls(text).replace("#", "##")


def tmux_message_text(text):
    """Literal as ``display-message``'s argument: that one is also a strftime template, so
    ``%`` is doubled besides ``#`` (a ``#()`` result in the bar is not: ``tmux_text``)."""
    text = tmux_text(text).replace("%", "%%")
    # An argument ending in ";" ends tmux's command (the rest would be another): "\;" is a ";".
    return text[:-1] + "\\;" if text.endswith(";") else text


def bash_ps1_text(text):
    """Literal in ``PS1`` when ``promptvars`` is off: bash still decodes backslash escapes
    (``\\e``, ``\\u``, ``\\[``), so each backslash is doubled (``\\\\`` decodes to one)."""
    return text.replace("\\", "\\\\")


_PANGO = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;"}


def pango_text(text):
    """Plain text inside Pango markup (Waybar's ``text``/``tooltip``, notify-send's body):
    ``& < > " '`` as entities and every control (newline and tab too) as ``?``: a multi-line
    tooltip joins rows escaped one by one."""
    return "".join(_PANGO.get(ch, ch) for ch in _no_controls(text))


def csv_cell(value):
    """A CSV cell a spreadsheet never takes as a formula: controls as ``?`` (a bare CR would
    start a row the writer does not quote), and text starting with ``= + - @`` or ``'`` gets
    a leading ``'``, so a reader drops exactly one leading ``'`` (``csv_value``) and has the
    text back. Numbers (int, float) pass as they are."""
    if isinstance(value, (int, float)) or value is None:
        return value
    text = _no_controls(str(value))
    return "'" + text if text[:1] in ("=", "+", "-", "@", "'") else text


def csv_value(cell):
    """The text ``csv_cell`` wrote into ``cell``."""
    return cell[1:] if cell[:1] == "'" else cell


def notify_argv(exe, title, message, app="claude-usage"):
    """notify-send's argv: our options, then ``--`` so nothing from outside is an option, then
    the summary and the body with markup escaped (most servers read the body as markup)."""
    return [exe, "--app-name=" + app, "--", _no_controls(title), pango_text(message)]


def applescript_string(text):
    """A double-quoted AppleScript string literal holding ``text``."""
    return '"%s"' % _no_controls(text).replace("\\", "\\\\").replace('"', '\\"')
