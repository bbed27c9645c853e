"""Turn ``tmux capture-pane -e`` output (text with SGR colour escapes) into Pango markup, which
ImageMagick draws as a PNG (``convert pango:@file.pango shot.png``) with the system's font
fallback, so powerline symbols come from whichever installed font has them.

    python3 docs/ansi2pango.py < capture.ansi > capture.pango

Only SGR (``ESC [ ... m``) is understood: bold, dim, the 16 colours, 256 colours, true colour,
default foreground/background. Everything else a pane can hold is dropped.
"""

from __future__ import annotations

import re
import sys
import unicodedata

FONT = "JetBrains Mono, DejaVu Sans Mono, monospace 15"
FG, BG = "#e5e5e5", "#1c1c1c"  # a dark terminal
BASE16 = ["#000000", "#cd0000", "#00cd00", "#cdcd00", "#0000ee", "#cd00cd", "#00cdcd", "#e5e5e5",
          "#7f7f7f", "#ff0000", "#00ff00", "#ffff00", "#5c5cff", "#ff00ff", "#00ffff", "#ffffff"]
SGR = re.compile(r"\x1b\[([0-9;:]*)m")
OTHER = re.compile(r"\x1b(\[[0-9;:?]*[A-Za-z]|\][^\x07\x1b]*(\x07|\x1b\\)|[()][0-9A-B]|[=>])")


def colour(n: int) -> str:
    if n < 16:
        return BASE16[n]
    if n < 232:
        steps = (0, 95, 135, 175, 215, 255)
        n -= 16
        return "#%02x%02x%02x" % (steps[n // 36], steps[n // 6 % 6], steps[n % 6])
    g = 8 + 10 * (n - 232)
    return "#%02x%02x%02x" % (g, g, g)


# A wide character (an emoji) comes from another font than the cells around it: Noto Color Emoji
# at 15 pt advances 25 px, one more than two cells of JetBrains Mono (2 x 12 px), so a row with
# an emoji would end 1 px further right than the rows above and below it. At 14.5 pt it takes
# exactly two cells, and a box's right border stays straight.
WIDE_SIZE = 14500  # Pango's unit: 1/1024 pt
WIDE = re.compile("[%s]+" % "".join(
    re.escape(chr(c)) for c in range(0x2000, 0x1FB00) if unicodedata.east_asian_width(chr(c)) in "WF"))


def escape(text: str) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return WIDE.sub(lambda m: '<span size="%d">%s</span>' % (WIDE_SIZE, m.group(0)), text)


def convert(ansi: str) -> str:
    fg, bg, bold, dim = None, None, False, False
    out = []
    for line in ansi.rstrip("\n").split("\n"):
        pos = 0
        line = OTHER.sub(lambda m: m.group(0) if m.group(0).endswith("m") and m.group(0).startswith("\x1b[") else "",
                         line)
        for m in list(SGR.finditer(line)) + [None]:
            end = m.start() if m else len(line)
            text = line[pos:end]
            if text:
                attrs = ['foreground="%s"' % (fg or FG)]
                if bg:
                    attrs.append('background="%s"' % bg)
                if bold:
                    attrs.append('weight="bold"')
                if dim:
                    attrs.append('alpha="60%"')
                out.append("<span %s>%s</span>" % (" ".join(attrs), escape(text)))
            if m is None:
                break
            pos = m.end()
            params = [int(p) if p else 0 for p in re.split("[;:]", m.group(1))] if m.group(1) else [0]
            i = 0
            while i < len(params):
                p = params[i]
                if p == 0:
                    fg, bg, bold, dim = None, None, False, False
                elif p == 1:
                    bold = True
                elif p == 2:
                    dim = True
                elif p == 22:
                    bold = dim = False
                elif 30 <= p <= 37 or 90 <= p <= 97:
                    fg = BASE16[p - 30 if p < 90 else p - 82]
                elif 40 <= p <= 47 or 100 <= p <= 107:
                    bg = BASE16[p - 40 if p < 100 else p - 92]
                elif p == 39:
                    fg = None
                elif p == 49:
                    bg = None
                elif p in (38, 48) and i + 1 < len(params):
                    if params[i + 1] == 5 and i + 2 < len(params):
                        value, i = colour(params[i + 2]), i + 2
                    elif params[i + 1] == 2 and i + 4 < len(params):
                        value, i = "#%02x%02x%02x" % tuple(params[i + 2:i + 5]), i + 4
                    else:
                        value = None
                    if p == 38:
                        fg = value
                    else:
                        bg = value
                i += 1
        out.append("\n")
    return '<span font="%s" foreground="%s">%s</span>' % (FONT, FG, "".join(out).rstrip("\n"))


if __name__ == "__main__":
    sys.stdout.write(convert(sys.stdin.read()))
