r"""Two more bars, each a dialect with its own escaping: ``--format i3blocks`` and ``--format xbar``.

i3blocks (and polybar's ``custom/script``, which shows the first line) reads a block's output
as lines: the full text, the short text (when the bar is crowded), the colour ``#RRGGBB``. A
newline in a text would move the rest into the next field, so every text is one line; with
the block's default ``markup=none`` nothing else is special to i3blocks. polybar reads
``%{...}`` in a script's output as formatting tags: ``%{`` in a text is broken up.

xbar and SwiftBar read a plugin's output as items, one a line: ``text | key=value ...``. What
each does with a line, from their sources (matryer/xbar ``pkg/plugins``, SwiftBar's
``MenuLineParameters.swift`` and ``MenuBarItem.swift``), not their docs:

- Both split a line at its first ``|``; a line that is ``---`` (xbar: once trimmed; SwiftBar:
  the first line that starts with ``---``) ends the title, and a leading ``--`` makes a submenu
  item. SwiftBar also splits lines at CR, VT, FF, NEL and U+2028/9. So a text never holds ``|``
  (it becomes ``¦``) nor a line break, and never begins, after blanks, with ``-``.
- xbar knows only its own keys (``KEYS``: ``item_params.go``); **any other key is an error that
  replaces the whole plugin with the error**. ``symbolize`` is SwiftBar's alone, so it is
  written only under SwiftBar (which sets ``SWIFTBAR=1`` for its plugins): ``literal``.
- xbar's ``ansi`` is on by default and runs Go's ``strconv.Unquote`` on ``"text"`` (a literal
  ``\u202e``, ``\x1b`` or ``\n`` in the text would become the real character; a lone ``"``
  makes it fail and show the text as it is); SwiftBar always unescapes a title (``\\`` to ``\``,
  ``\n`` to a line feed, ``\t`` to a tab, ``\c`` to ``c``). So every ``\`` is doubled and every
  ``"`` written ``\"``: both give back the text exactly, in both apps, and ``ansi`` is left at
  each app's default (turning it on in SwiftBar would read ANSI colours from the text).
- ``emojize=false`` (both) and ``symbolize=false`` (SwiftBar) keep ``:name:`` in a text literal.

Every parameter is ours. ``escape_xbar`` is the one door outside text takes into an item.
"""

from statusline.core.clean import is_control
from statusline.render import segments

COLOURS = {"ok": "#98C379", "warn": "#E5C07B", "high": "#FF9E3B", "crit": "#E06C75", "stale": "#7F848E",
           "info": "#61AFEF"}
ORDER = ("ok", "warn", "high", "crit")
# The keys xbar accepts (pkg/plugins/item_params.go, setValueByKey), besides paramN.
KEYS = frozenset(("disabled", "key", "href", "color", "font", "size", "shell", "bash", "templateImage", "image",
                  "terminal", "refresh", "dropdown", "length", "trim", "alternate", "emojize", "ansi"))


def literal(swiftbar=False):
    """The parameters that keep ``:name:`` in a text literal: ``symbolize`` only under SwiftBar
    (xbar rejects a key it does not know, and then draws nothing of the plugin)."""
    return "emojize=false symbolize=false" if swiftbar else "emojize=false"


def _one_line(text):
    # Line breaks as spaces, every other control (ESC, C1, bidi: ``core/clean.is_control``) as
    # "?": one line, no escape of anyone else's.
    return "".join(" " if ch in "\n\r\t\x0b\x0c\u2028\u2029\x85" else "?" if is_control(ch) else ch
                   for ch in text)


def escape_i3blocks(text):
    """One i3blocks field: one line, and no polybar ``%{`` tag."""
    return _one_line(text).replace("%{", "% {")


def escape_xbar(text):
    """One xbar/SwiftBar item's text, shown as it is by both: one line, no ``|``, no ``-``
    first (after blanks), and each ``\\`` and ``"`` escaped so that xbar's ``strconv.Unquote``
    and SwiftBar's unescaping both give back exactly the text (see the module's docstring)."""
    text = _one_line(text).replace("|", "\u00a6")
    blank = len(text) - len(text.lstrip())
    if text[blank:blank + 1] == "-":
        text = text[:blank] + "\u2010" + text[blank + 1:]
    return text.replace("\\", "\\\\").replace('"', '\\"')


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


def xbar_item(text, level=None, params="", swiftbar=False):
    """One item: its escaped text, then our parameters only (``swiftbar``: SwiftBar's too)."""
    parts = [p for p in (("color=" + COLOURS[level]) if level in COLOURS and level != "ok" else "", params,
                         literal(swiftbar)) if p]
    return "%s | %s" % (escape_xbar(text) or " ", " ".join(parts))


def xbar(spans, rows, actions, swiftbar=False):
    """The title (the line), ``---``, the panel's ``rows`` (``(text, level)``; an empty text is
    a separator), ``---`` and the ``actions`` (``(text, params)``, ours). ``swiftbar``: the
    output is for SwiftBar (``SWIFTBAR=1``), which knows more keys than xbar."""
    out = [xbar_item("".join(t for t, _ in spans).strip(), worst(spans), "", swiftbar), "---"]
    for text, level in rows:
        if not text.strip():
            if out[-1] != "---":
                out.append("---")
            continue
        out.append(xbar_item(text, level, "font=Menlo size=12 trim=false", swiftbar))
    if out[-1] != "---":
        out.append("---")
    out += [xbar_item(text, None, params, swiftbar) for text, params in actions]
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


def view_rows(view, now, status_words=None, numbers="used"):
    """The panel's rows for a menu, from the line view (no ``rich``: a bar runs this often):
    each window with its bar and reset (the share ``used`` or ``left``, as the panel draws it),
    credits or spend, Console costs, the status, the age. ``(text, level)``; an empty text
    separates sections."""
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
        shown = segments.left(w[2]) if numbers == "left" else pct
        figure = "%3d%% left" % shown if numbers == "left" else "%3d%%" % shown
        rows.append(("%-*s %s %s" % (width, _label(w) + ":", _bar(shown), figure), segments.level(pct, th)))
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
