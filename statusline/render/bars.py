"""Two more bars, each a dialect with its own escaping: ``--format i3blocks`` and ``--format xbar``.

i3blocks (and polybar's ``custom/script``, which shows the first line) reads a block's output
as lines: the full text, the short text (when the bar is crowded), the colour ``#RRGGBB``. A
newline in a text would move the rest into the next field, so every text is one line; with
the block's default ``markup=none`` nothing else is special to i3blocks. polybar reads
``%{...}`` in a script's output as formatting tags: ``%{`` in a text is broken up.

xbar and SwiftBar read a plugin's output as items, one a line: ``text | key=value ...``. The
first ``|`` starts the parameters (``bash=``, ``href=``, ``color=``...), a line that is ``---``
separates the title from the dropdown, and a leading ``--`` makes a submenu item. So a text
never holds ``|`` (it becomes ``¦``) nor a newline, and never begins with ``-``; every
parameter is ours. ``emojize=false symbolize=false`` keep ``:name:`` in a text literal.
"""

from statusline.core.clean import is_control
from statusline.render import segments

COLOURS = {"ok": "#98C379", "warn": "#E5C07B", "high": "#FF9E3B", "crit": "#E06C75", "stale": "#7F848E",
           "info": "#61AFEF"}
ORDER = ("ok", "warn", "high", "crit")
LITERAL = "emojize=false symbolize=false"


def _one_line(text):
    # Line breaks as spaces, every other control (ESC, C1, bidi: ``core/clean.is_control``) as
    # "?": one line, no escape of anyone else's.
    return "".join(" " if ch in "\n\r\t\x0b\x0c\u2028\u2029\x85" else "?" if is_control(ch) else ch
                   for ch in text)


def escape_i3blocks(text):
    """One i3blocks field: one line, and no polybar ``%{`` tag."""
    return _one_line(text).replace("%{", "% {")


def escape_xbar(text):
    """One xbar/SwiftBar item's text: one line, no ``|``, no leading ``-``."""
    text = _one_line(text).replace("|", "\u00a6")
    return "\u2010" + text[1:] if text.startswith("-") else text


def worst(spans):
    """The most urgent usage level among the spans (ok when none), or ``stale``/``info`` when
    the line has no usage level at all (a message, the console's dollars)."""
    found = [lvl for _, lvl in spans if lvl in ORDER]
    if found:
        return max(found, key=ORDER.index)
    for _, lvl in spans:
        if lvl in COLOURS:
            return lvl
    return None


def short(spans, glyphs="plain"):
    """The spans up to the first separator: the short text of a crowded bar."""
    sep = (segments.GLYPHS.get(glyphs) or segments.GLYPHS["plain"])["sep"]
    out = []
    for text, lvl in spans:
        if text == sep and lvl == "muted":
            break
        out.append((text, lvl))
    return out


def i3blocks(spans, glyphs="plain"):
    """Three lines: full text, short text, colour of the worst level (empty: the bar's own)."""
    full = escape_i3blocks("".join(t for t, _ in spans)).strip()
    brief = escape_i3blocks("".join(t for t, _ in short(spans, glyphs))).strip()
    return "\n".join((full, brief or full, COLOURS.get(worst(spans) or "", "")))


def xbar_item(text, level=None, params=""):
    """One item: its escaped text, then our parameters only."""
    parts = [p for p in (("color=" + COLOURS[level]) if level in COLOURS and level != "ok" else "", params,
                         LITERAL) if p]
    return "%s | %s" % (escape_xbar(text) or " ", " ".join(parts))


def xbar(spans, rows, actions):
    """The title (the line), ``---``, the panel's ``rows`` (``(text, level)``; an empty text is
    a separator), ``---`` and the ``actions`` (``(text, params)``, ours)."""
    out = [xbar_item("".join(t for t, _ in spans).strip(), worst(spans)), "---"]
    for text, level in rows:
        if not text.strip():
            if out[-1] != "---":
                out.append("---")
            continue
        out.append(xbar_item(text, level, "font=Menlo size=12 trim=false"))
    if out[-1] != "---":
        out.append("---")
    out += [xbar_item(text, None, params) for text, params in actions]
    return "\n".join(out)


LABELS = {"five_hour": "5-Hour", "seven_day": "7-Day", "routines": "Routines"}
BAR = 20


def _bar(pct):
    filled = min(BAR, max(0, int(pct * BAR / 100 + 0.5)))
    return "\u2588" * filled + "\u2591" * (BAR - filled)


LABEL_MAX = 18


def _label(w):
    label = LABELS.get(w[0]) or ("7-Day " + str(w[1]) if w[0] == "scoped" else str(w[0]))
    return label if len(label) < LABEL_MAX else label[:LABEL_MAX - 2] + "\u2026"


def view_rows(view, now, status_words=None):
    """The panel's rows for a menu, from the line view (no ``rich``: a bar runs this often):
    each window with its bar and reset, credits or spend, Console costs, the status, the age.
    ``(text, level)``; an empty text separates sections."""
    from statusline.render.lineformats import _local_time

    v = view or {}
    cfg = v.get("config") if isinstance(v.get("config"), dict) else {}
    th = segments.thresholds(cfg)
    rows = []
    windows = [w for w in v.get("windows") or () if segments.readings.is_reading(w)]
    width = min(LABEL_MAX, max([len(_label(w)) + 1 for w in windows] + [7]))
    for w in sorted(windows, key=lambda w: ("five_hour", "seven_day", "routines", "scoped").index(w[0])
                    if w[0] in ("five_hour", "seven_day", "routines", "scoped") else 9):
        w = segments.readings.live(w, now)
        pct = segments.percent(w[2])
        rows.append(("%-*s %s %3d%%" % (width, _label(w) + ":", _bar(pct), pct), segments.level(pct, th)))
        if w[3] is not None and w[3] > now:
            rows.append(("  resets in %s (%s)" % (segments.duration(w[3] - now, " "), _local_time(w[3], now)),
                         "stale"))
    money = segments.money_spans(v.get("money"), th)
    console = v.get("console")
    if money or console:
        rows.append(("", None))
    rows += money
    if isinstance(console, dict):
        rows += [(t, lvl) for t, lvl in segments.console_spans(console, segments.GLYPHS["plain"])
                 if lvl != "muted"]
    if status_words:
        rows += [("", None), *status_words]
    fetched = v.get("fetched")
    if isinstance(fetched, (int, float)):
        rows += [("", None), ("Updated %s ago" % segments.duration(max(0, now - fetched), " "), "stale")]
    return rows
