"""The line's items: every name ``[line] items``, ``[line] rows``, ``--show`` and ``--hide``
accept, which are the limits' and which Claude Code's session's, the default, and who gives
way first when a row is too wide. Data only, import-free: the config (``cache/config``), the
layout (``render/layout``) and the hot path all read it from here.

An item is drawn by its own function (``render/segments`` for the limits, ``render/items`` for
the session); the layout knows nothing of any item but its name and its priority.
"""

# The limits: what the usage API, Claude Code's rate_limits, ~/.claude.json and Pace Maker
# tell. Some are modifiers of the windows rather than parts of their own: ``scoped`` lets a
# per-model or Routines weekly limit take the weekly slot, ``reset`` puts the countdown after
# the first window, ``rate`` the forecast's rate after each, ``age`` the data's age at the end.
LIMITS = ("five_hour", "seven_day", "scoped", "extra", "reset", "rate", "console", "pace", "age", "status")

# What only Claude Code's statusLine input holds (absent in tmux and the prompts).
SESSION = ("model", "effort", "context", "tokens", "cost", "duration", "lines", "git", "repo", "pr", "session",
           "cache", "vim", "agent", "style", "cwd")

NAMES = LIMITS + SESSION

# Without ``[line] items``: today's limits and the outage marker everywhere, and in Claude Code
# the model, the context and the git branch too (what every peer shows by default).
DEFAULT = ("five_hour", "seven_day", "scoped", "extra", "reset", "console", "pace", "age", "status",
           "model", "context", "git")

# When a row is wider than the terminal, the item with the lowest priority goes first. The
# limits never go (None): they are what this tool is for.
PRIORITY = {
    "status": None, "five_hour": None, "seven_day": None, "extra": None, "console": None,
    "context": 90, "model": 80, "git": 70, "pr": 65, "pace": 60, "cost": 55, "effort": 50, "tokens": 45,
    "session": 42, "repo": 40, "duration": 35, "lines": 30, "cache": 28, "agent": 25, "vim": 22,
    "cwd": 20, "style": 15, "age": 10,
}

# The looks (``render/themes``): a style, and for powerline and chips a colour theme.
STYLES = ("plain", "powerline", "chips")
THEMES = ("default", "nord", "gruvbox", "dracula", "mono")  # render.themes.THEMES' names

# Windows shown as the share used (the default) or as the share left.
NUMBERS = ("used", "left")
# ``context``: Claude Code's own used_percentage, or the share of the point where auto-compact starts.
CONTEXT = ("window", "usable")


def parse_list(text):
    """Item names from ``--show``/``--hide``'s comma-separated value, as given (not checked)."""
    return [w.strip() for w in (text or "").split(",") if w.strip()]


def chosen(configured, show=(), hide=()):
    """The items in order: ``configured`` (``[line] items``) or the default, then ``show``'s
    that are not in it yet, less ``hide``'s."""
    base = list(configured) if configured else list(DEFAULT)
    out = [n for n in base if n in NAMES]
    out += [n for n in show if n in NAMES and n not in out]
    return [n for n in out if n not in hide]
