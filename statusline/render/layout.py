"""The layout: which items go in which row, in what order, and which give way when a row is too
wide. It knows nothing of any item but its name and priority (``core/items``): the limits'
groups come from ``render/segments``, the session's from ``render/items``. Pure.

- **Order**: ``[line] items`` (or the default), or ``[line] rows``, one list of names a row.
  Groups no list names keep their place: a message first, the markers right after the limits.
- **Rows**: Claude Code shows each line of our output as a row; every other target is one line,
  so its rows are drawn one after the other (``single``).
- **Width**: a row wider than ``width`` cells (Claude Code's ``COLUMNS``) loses its item of the
  lowest priority, then the next; the limits never go. Cells are counted as the terminal
  counts them (``render/cells``).
"""

from statusline.core.items import PRIORITY
from statusline.render import segments

LIMIT_GROUPS = ("message", "five_hour", "seven_day", "extra", "console", "pace", "status")


def arrange(parts, order, rows=None, single=False):
    """``parts`` (``(name, spans)``, the groups there are) as rows of groups, in order."""
    have = dict(parts)
    layout = [list(r) for r in rows] if rows else [list(order)]
    if single:
        layout = [[n for r in layout for n in r]]
    weekly = any("seven_day" in names for names in layout)
    for names in layout:  # the weekly slot answers to "scoped" as well as to "seven_day", in one place
        if "scoped" in names and not weekly:
            names[names.index("scoped")] = "seven_day"
            weekly = True
    out = [[(n, have[n]) for n in names if n in have] for names in layout]
    placed = {n for row in out for n, _ in row}
    home = next((i for i, row in enumerate(out) if any(n in LIMIT_GROUPS for n, _ in row)), 0)
    if "message" in have and "message" not in placed:
        out[home].insert(0, ("message", have["message"]))
    if "marks" in have:
        row = out[home]
        last = max((i for i, (n, _) in enumerate(row) if n in LIMIT_GROUPS), default=len(row) - 1)
        row.insert(last + 1, ("marks", have["marks"]))
    return [row for row in out if row]


def width_of(row, g, per_group=0):
    """The cells a row takes, joined with ``g``'s separator (``per_group``: what a style adds to
    each group, powerline's arrows and padding)."""
    from statusline.render import cells  # only where a row must fit a width (Claude Code's COLUMNS)

    return cells.cells("".join(t for t, _ in segments.join(row, g))) + per_group * len(row)


def fit(row, width, g, per_group=0):
    """``row`` with its lowest-priority items left out until it takes at most ``width`` cells;
    the limits, the message and the markers stay, whatever the width."""
    row = list(row)
    while width_of(row, g, per_group) > width:
        droppable = [(PRIORITY[n], -i) for i, (n, _) in enumerate(row) if PRIORITY.get(n) is not None]
        if not droppable:
            break
        _, last_first = min(droppable)  # the lowest priority; of equals, the one further right
        del row[-last_first]
    return row


STYLED = ("ansi", "bash", "tmux", "zsh")


def draw(rows, fmt, color, style="plain", theme="default", glyphs="emoji", tmux_styles=None):
    """Each row as one line of ``fmt``: the plain style through ``dialects`` (nothing more is
    imported), powerline and chips through ``themes``."""
    from statusline.render import dialects

    g = segments.GLYPHS.get(glyphs, segments.GLYPHS["emoji"])
    lines = [segments.join(row, g) for row in rows]
    if style != "plain" and color and fmt in STYLED:
        from statusline.render import themes  # only for powerline and chips

        return [themes.render(spans, fmt, style, theme, glyphs) for spans in lines]
    styles = tmux_styles if isinstance(tmux_styles, dict) else None
    return [dialects.render(spans, fmt, color, styles) for spans in lines]
