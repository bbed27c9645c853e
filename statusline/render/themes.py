"""The line as powerline segments or rounded chips, in a named colour theme.

``[line] style = "powerline" | "chips"`` (or ``--style``, ``CLAUDE_USAGE_STYLE``) draws the same
spans ``segments.build`` makes, grouped into segments each on a background of its level's
colour. The plain style never imports this module: ``dialects.render`` stays the hot path's
only renderer for it.

Grouping: a separator span (the glyph set's ``sep``) ends a segment, and so does a span of
another colour level (the ``⚠13:10`` forecast after a green ``5h 40%`` is its own gold
segment); plain ``text`` and ``muted`` spans join the segment they follow.

Glyphs: powerline's arrows (U+E0B0..E0B3) and the rounded caps (U+E0B4, U+E0B6) are in the
Private Use Area: fonts patched for powerline or Nerd Fonts have them, others draw boxes.
``--glyphs ascii`` draws the same shapes without them: the colour change is the separator,
``|`` between two segments of one colour, no caps. Arrows point right for the left-to-right
targets (ANSI: Claude Code, fish; bash's PS1) and left for the targets that usually sit on the
right (tmux's ``status-right``, zsh's ``RPROMPT``).

Every text goes through the target's escaping (``dialects.escape``), ours and outside alike.
Themes are data: level -> (foreground, background) as xterm 256-colour numbers, each pair
with a contrast of at least 4.5:1 (tests/render/test_themes.py checks).
"""

from statusline.render import dialects, segments

# level -> (fg, bg, bold). "text" is the neutral segment (a countdown alone, a message).
THEMES = {
    "default": {"ok": (231, 22, False), "warn": (16, 220, False), "high": (16, 208, False),
                "crit": (231, 160, True), "stale": (254, 240, False), "info": (16, 117, False),
                "text": (254, 238, False)},
    "nord": {"ok": (236, 108, False), "warn": (236, 222, False), "high": (236, 173, False),
             "crit": (231, 131, True), "stale": (255, 60, False), "info": (236, 110, False),
             "text": (253, 238, False)},
    "gruvbox": {"ok": (235, 142, False), "warn": (235, 214, False), "high": (235, 208, False),
                "crit": (16, 167, True), "stale": (223, 241, False), "info": (235, 109, False),
                "text": (223, 237, False)},
    "dracula": {"ok": (236, 84, False), "warn": (236, 228, False), "high": (236, 215, False),
                "crit": (16, 203, True), "stale": (255, 60, False), "info": (236, 117, False),
                "text": (253, 237, False)},
    "mono": {"ok": (252, 238, False), "warn": (16, 248, False), "high": (16, 252, True),
             "crit": (16, 231, True), "stale": (248, 235, False), "info": (252, 240, False),
             "text": (252, 236, False)},
}
COLOURED = ("ok", "warn", "high", "crit", "stale", "info")

# (full arrow, thin arrow) per direction, and (left cap, right cap) of a chip.
POWERLINE = {"right": ("\ue0b0", "\ue0b1"), "left": ("\ue0b2", "\ue0b3")}
POWERLINE_ASCII = ("", "|")
CAPS = ("\ue0b6", "\ue0b4")
CAPS_ASCII = ("", "")
DIRECTION = {"tmux": "left", "zsh": "left"}  # the rest: right


def group(spans, sep):
    """Spans as segments ``[level, text]``: a new one at each separator or colour change."""
    out = []
    for text, lvl in spans:
        if text == sep and lvl == "muted":
            out.append(None)  # a boundary
            continue
        coloured = lvl if lvl in COLOURED else None
        cur = out[-1] if out else None
        if cur is None or (coloured and cur[0] != coloured and cur[0] != "text" and cur[1].strip()):
            out.append([coloured or "text", text])
        else:
            if coloured and cur[0] == "text":
                cur[0] = coloured
            cur[1] += text
    segs = []
    for seg in out:
        if seg is not None and seg[1].strip():
            segs.append((seg[0], " ".join(seg[1].split())))
    return segs


def _sgr(fg, bg, bold):
    return "%s;%s;%s" % ("1" if bold else "22", "39" if fg is None else "38;5;%d" % fg,
                         "49" if bg is None else "48;5;%d" % bg)


def _paint_ansi(text, fg, bg, bold):
    return "\x1b[%sm%s" % (_sgr(fg, bg, bold), dialects.escape(text, "ansi"))


def _paint_bash(text, fg, bg, bold):
    return "\001\x1b[%sm\002%s" % (_sgr(fg, bg, bold), dialects.escape(text, "bash"))


def _paint_tmux(text, fg, bg, bold):
    style = "fg=%s,bg=%s,%s" % ("default" if fg is None else "colour%d" % fg,
                                "default" if bg is None else "colour%d" % bg, "bold" if bold else "nobold")
    return "#[%s]%s" % (style, dialects.escape(text, "tmux"))


def _paint_zsh(text, fg, bg, bold):
    return "%s%s%s%s" % ("%f" if fg is None else "%%F{%d}" % fg, "%k" if bg is None else "%%K{%d}" % bg,
                         "%B" if bold else "%b", dialects.escape(text, "zsh"))


PAINT = {"ansi": _paint_ansi, "bash": _paint_bash, "tmux": _paint_tmux, "zsh": _paint_zsh}
RESET = {"ansi": "\x1b[0m", "bash": "\001\x1b[0m\002", "tmux": "#[default]", "zsh": "%f%k%b"}


def render(spans, fmt, style, theme=None, glyphs="plain", direction=None):
    """The spans drawn as ``style`` (powerline | chips) for ``fmt``; other formats, and other
    styles, fall back to the plain dialect."""
    paint = PAINT.get(fmt)
    if paint is None or style not in ("powerline", "chips"):
        return dialects.render(spans, fmt)
    table = THEMES.get(theme or "default") or THEMES["default"]
    segs = group(spans, (segments.GLYPHS.get(glyphs) or segments.GLYPHS["plain"])["sep"])
    if not segs:
        return ""
    ascii_only = glyphs == "ascii"
    out = []
    if style == "chips":
        left, right = CAPS_ASCII if ascii_only else CAPS
        for i, (lvl, text) in enumerate(segs):
            fg, bg, bold = table.get(lvl) or table["text"]
            if i:
                out.append(paint(" ", None, None, False))
            if left:
                out.append(paint(left, bg, None, False))
            out.append(paint(" %s " % text, fg, bg, bold))
            if right:
                out.append(paint(right, bg, None, False))
        out.append(RESET[fmt])
        return "".join(out)
    way = direction or DIRECTION.get(fmt, "right")
    full, thin = POWERLINE_ASCII if ascii_only else POWERLINE[way]
    prev = None
    for lvl, text in segs:
        fg, bg, bold = table.get(lvl) or table["text"]
        if way == "left":
            if prev is not None and prev[1] == bg:
                out.append(paint(thin, fg, bg, False))
            elif full:
                out.append(paint(full, bg, None if prev is None else prev[1], False))
        elif prev is not None:
            if prev[1] == bg:
                out.append(paint(thin, fg, bg, False))
            elif full:
                out.append(paint(full, prev[1], bg, False))
        out.append(paint(" %s " % text, fg, bg, bold))
        prev = (fg, bg)
    if way == "right" and full and prev is not None:
        out.append(paint(full, prev[1], None, False))
    out.append(RESET[fmt])
    return "".join(out)
