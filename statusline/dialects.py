"""How each target writes colour: one escape table and one wrapper per format.

Spans are ``(text, level)``; levels are semantic (ok, warn, high, crit, stale, muted, info,
text) and only here become escape codes. Hot-path module: no imports.
"""

ANSI = {"ok": "32", "warn": "33", "high": "38;5;208", "crit": "1;31", "stale": "2", "muted": "2", "info": "36"}
TMUX = {
    "ok": "fg=green", "warn": "fg=yellow", "high": "fg=colour208", "crit": "fg=red,bold",
    "stale": "fg=colour244", "muted": "fg=colour244", "info": "fg=cyan",
}
ZSH = {"ok": "green", "warn": "yellow", "high": "208", "crit": "red", "stale": "244", "muted": "244", "info": "cyan"}


def _ansi(text, level, color):
    code = ANSI.get(level) if color else None
    return "\x1b[%sm%s\x1b[0m" % (code, text) if code else text


def _bash(text, level, color):
    # \001 \002 tell readline the escape has no width (the \[ \] of PS1, usable from $(...)).
    code = ANSI.get(level) if color else None
    return "\001\x1b[%sm\002%s\001\x1b[0m\002" % (code, text) if code else text


def _tmux(text, level, color):
    text = text.replace("#", "##")
    style = TMUX.get(level) if color else None
    return "#[%s]%s#[default]" % (style, text) if style else text


def _zsh(text, level, color):
    text = text.replace("%", "%%")
    colour = ZSH.get(level) if color else None
    return "%%F{%s}%s%%f" % (colour, text) if colour else text


def _plain(text, level, color):
    return text


_WRAP = {"ansi": _ansi, "bash": _bash, "tmux": _tmux, "zsh": _zsh, "plain": _plain}


def render(spans, fmt="ansi", color=True):
    """Join spans in one dialect. Unknown formats fall back to plain text."""
    wrap = _WRAP.get(fmt, _plain)
    return "".join(wrap(text, level, color) for text, level in spans)
