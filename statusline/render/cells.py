"""How many terminal cells a text takes: the one function the layout fits rows with.

A terminal counts East Asian Wide and Fullwidth characters (CJK, and emoji such as ``⏰``, whose
default presentation is wide) as two cells, combining marks and format characters (the
zero-width joiner, variation selectors) as none, and everything else as one. The line's own
glyphs are known here, so the usual line is counted without ``unicodedata``; it is imported
only for outside text beyond Latin (a branch or a session named in another script).
"""

# Our glyphs' widths (``render/segments.GLYPHS``, ``render/items``), as terminals draw them.
KNOWN = {"\u23f0": 2, "\u23f8": 1, "\u26a0": 1, "\u00b7": 1, "\u2192": 1, "\u21bb": 1, "\u2016": 1,
         "\u2212": 1, "\u2713": 1, "\u2717": 1, "\u2026": 1, "\u273b": 1, "\u21af": 1, "\u25cc": 1,
         "\u2387": 1, "\u2502": 1, "\u00a6": 1, "\u2010": 1}


def width(ch):
    """One character's cells: 0, 1 or 2."""
    if ch < "\u0300":
        return 1
    known = KNOWN.get(ch)
    if known is not None:
        return known
    import unicodedata  # outside text beyond Latin only: the line's own glyphs are known above

    if unicodedata.category(ch) in ("Mn", "Me", "Cf") or "\ufe00" <= ch <= "\ufe0f":
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def cells(text):
    """The cells ``text`` takes in a terminal."""
    if text.isascii():
        return len(text)
    return sum(width(ch) for ch in text)


def cut(text, room, ellipsis="\u2026"):
    """``text`` shortened to at most ``room`` cells, ending in ``ellipsis`` when it was cut."""
    if cells(text) <= room:
        return text
    out, used = [], cells(ellipsis)
    for ch in text:
        w = width(ch)
        if used + w > room:
            break
        out.append(ch)
        used += w
    return "".join(out) + ellipsis if room >= cells(ellipsis) else ""
