"""The one boundary for outside values: strings made safe to print, numbers range-checked.

Everything that comes from outside (the API, the credentials file, Claude Code's input,
Pace Maker, ``~/.claude.json``) passes through here where it enters the model, so no renderer
can forget it. Stdlib-free and import-free: the line's hot path and the hook may use it.

- ``text``: C0 controls, DEL and C1 controls (which include ESC, CSI, OSC, ST) become ``?``,
  whitespace controls (tab, newline, CR) one space; the result is bounded in length. Our own
  colour codes are added later, by the renderers, and are the only escapes we ever print.
- ``finite``: a real number (not bool, not NaN or infinity, not absurdly large), optionally
  within a range; anything else is None.
- ``epoch``: epoch seconds from seconds, milliseconds or microseconds, within a sane span of
  years; anything else is None.
"""

TEXT_MAX = 200
# 2001-09-09 .. 2100-01-01 in seconds: far wider than any reset time or fetch time we can see.
EPOCH_MIN = 1e9
EPOCH_MAX = 4102444800.0  # 2100-01-01
NUMBER_MAX = 1e19


# Invisible format characters that reorder or disguise text (bidi marks, embeddings, overrides
# and isolates) and the Unicode line separators.
_FORMAT_CONTROLS = frozenset("\u061c\u200e\u200f\u2028\u2029\u202a\u202b\u202c\u202d\u202e"
                             "\u2066\u2067\u2068\u2069")


def is_control(ch):
    """The one rule of what no outside text may bring to a target: C0, DEL and C1 (ESC, CSI,
    OSC, ST...), the format characters above, and a lone surrogate (it cannot be printed).
    ``text`` replaces them where outside text comes in; ``render/dialects`` again at each way
    out, so nothing reaches a terminal, a bar or a file that did not pass both."""
    return ch < " " or "\x7f" <= ch < "\xa0" or (ch >= "\u061c" and (
        ch in _FORMAT_CONTROLS or "\ud800" <= ch <= "\udfff"))


MARKS_MAX = 2  # combining marks kept per base character (more is a flood, not a language)


def _is_mark(ch):
    import unicodedata  # only for text beyond Latin-1: the usual names never load it

    return unicodedata.category(ch) in ("Mn", "Me")


def text(value, limit=TEXT_MAX):
    """A printable string, or None for anything that is not a non-empty string.

    Controls (C0, DEL, C1, and the bidirectional overrides that can disguise text) are
    replaced, whitespace controls by a space; at most ``MARKS_MAX`` combining marks stay on a
    base character; the zero-width joiner (U+200D) and the variation selectors (U+FE00-U+FE0F)
    are dropped, since rich and terminals (tmux) disagree on the width of a ZWJ sequence or an
    emoji made wide by U+FE0F (a family emoji is its members side by side); the length is
    bounded with an ellipsis.
    """
    if not isinstance(value, str) or not value:
        return None
    if len(value) > limit * 4 + 4096:  # room for a mark flood, which is dropped below
        value = value[: limit * 4 + 4096]
    out = []
    marks = 0  # combining marks on the current base character
    for ch in value:
        if ch == "\u200d" or "\ufe00" <= ch <= "\ufe0f":
            continue  # joiner, variation selectors: terminals disagree on the width they make
        if ch >= "\u0300" and _is_mark(ch):
            marks += 1
            if marks <= MARKS_MAX:  # a flood of 300 accents on one letter pushes borders out
                out.append(ch)
            continue
        marks = 0
        if len(out) > limit * 4:
            break
        if ch in "\t\n\r\x0b\x0c":
            if out and out[-1] != " ":
                out.append(" ")
        elif is_control(ch):
            out.append("?")
        else:
            out.append(ch)
    s = "".join(out).strip()
    if not s:
        return None
    if len(s) > limit:
        s = s[: limit - 1] + "\u2026"
    return s


def is_clean(s):
    """True when ``s`` holds no character ``text`` would have replaced (for tests and asserts)."""
    return not any(is_control(ch) for ch in s)


def finite(value, lo=None, hi=None):
    """A float for a finite, plausibly sized number within [lo, hi]; else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, int):
        if not -NUMBER_MAX <= value <= NUMBER_MAX:
            return None
        value = float(value)
    if value != value or value in (float("inf"), float("-inf")) or abs(value) > NUMBER_MAX:
        return None
    if lo is not None and value < lo:
        return None
    if hi is not None and value > hi:
        return None
    return value


def percent(value):
    """A utilization percentage: finite, 0..10000 (it may exceed 100), noise rounded away."""
    v = finite(value, 0.0, 10000.0)
    return None if v is None else round(v, 6)


def minor_units(value):
    """A count of money's minor units (cents): finite, 0..NUMBER_MAX, whole (a fraction of a
    cent is no money: 1e-300 is 0, never a divisor that makes a ratio overflow)."""
    v = finite(value, 0.0)
    return None if v is None else float(round(v))


def ratio_percent(part, whole):
    """``part / whole`` as a percent within ``percent``'s range, or None: a ratio of outside
    numbers never overflows (a huge ``part`` over a tiny ``whole`` is capped, not inf)."""
    if part is None or not whole or whole < 0 or part < 0:
        return None
    if part >= whole * 100.0:  # 10000 % or more: the cap, with no division that can overflow
        return 10000.0
    return percent(part / whole * 100.0)


def epoch(value):
    """Epoch seconds from seconds, milliseconds or microseconds; None when implausible."""
    v = finite(value)
    if v is None or v <= 0:
        return None
    for scale in (1.0, 1e3, 1e6, 1e9):
        s = v / scale
        if EPOCH_MIN <= s <= EPOCH_MAX:
            return s
        if s < EPOCH_MIN:
            return None
    return None


def tree(obj, depth=0):
    """A JSON-like value with every string cleaned and every non-finite number dropped to None;
    for dicts that other modules own (Pace Maker's state, Console totals) on their way out."""
    if depth > 8:
        return None
    if isinstance(obj, str):
        return text(obj)
    if isinstance(obj, bool) or obj is None:
        return obj
    if isinstance(obj, (int, float)):
        return finite(obj) if isinstance(obj, float) else (obj if finite(obj) is not None else None)
    if isinstance(obj, dict):
        return {str(text(str(k), 60)): tree(v, depth + 1) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [tree(v, depth + 1) for v in obj]
    return None
