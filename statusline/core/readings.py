"""Readings and the one rule that merges them. Hot-path safe: no imports.

Every source (the usage API, Claude Code's statusLine input, ``~/.claude.json``, Pace Maker)
turns its outside format into readings of one shape, a plain tuple so that it marshals::

    (key, name, utilization, resets_at, observed_at, source)

- ``key``: ``five_hour`` | ``seven_day`` | ``routines`` (its own weekly limit) | ``scoped``
  (a per-model weekly limit; ``name`` is the model's display name, else None);
- ``utilization``: percent, finite, may exceed 100; ``resets_at``, ``observed_at``: epoch s;
- ``source``: ``api`` | ``claude-code`` | ``claude-json`` | ``pace-maker``.

Merge rule, per (key, name): within one window (resets within ``SAME_WINDOW_S``) usage never
goes down, so the larger utilization wins (the newer observation on a tie); a later reset is a
new window and replaces an earlier one; a reading of an earlier, finished window is ignored.
A window whose reset is in the past has reset: its old percentage no longer holds (``live``).
"""

SAME_WINDOW_S = 120.0
KEYS = ("five_hour", "seven_day", "routines", "scoped")
SOURCES = ("api", "claude-code", "claude-json", "pace-maker")
EPOCH_MIN, EPOCH_MAX = 1e9, 4102444800.0  # as in ``clean``: 2001 .. 2100


def is_reading(r):
    """A well-formed reading tuple (or list, as read back from a file)."""
    if not isinstance(r, (tuple, list)) or len(r) != 6 or r[0] not in KEYS:
        return False
    key, name, util, resets, observed, source = r
    return ((name is None or isinstance(name, str)) and within(util, 0.0, 10000.0)
            and (resets is None or within(resets, EPOCH_MIN, EPOCH_MAX))
            and within(observed, EPOCH_MIN, EPOCH_MAX) and source in SOURCES)


def within(x, lo, hi):
    """A real number (not bool, not NaN) in [lo, hi]."""
    return isinstance(x, (int, float)) and not isinstance(x, bool) and lo <= x <= hi  # NaN fails both


def merge_one(old, new):
    """The reading that stands for one window after ``new`` meets ``old`` (either may be None)."""
    if old is None:
        return new
    if new is None:
        return old
    o_reset, n_reset = old[3], new[3]
    if o_reset is None or n_reset is None:
        if (o_reset is None) == (n_reset is None):
            return new if new[4] >= old[4] else old
        return new if n_reset is not None else old  # a reading with a reset is the better one
    if abs(n_reset - o_reset) <= SAME_WINDOW_S:
        if new[2] > old[2] or (new[2] == old[2] and new[4] >= old[4]):
            return new
        return old
    return new if n_reset > o_reset else old


def merge(*groups):
    """All readings of all ``groups`` folded into one per window, in display order."""
    got = {}
    for group in groups:
        for r in group or ():
            if is_reading(r):
                r = tuple(r)
                k = (r[0], r[1] if r[0] == "scoped" else None)
                got[k] = merge_one(got.get(k), r)
    return sorted(got.values(), key=order)


def order(r):
    return (KEYS.index(r[0]), r[1] or "")


def live(r, now):
    """The reading as it stands at ``now``: a window past its reset reads 0 with no reset."""
    if r[3] is not None and r[3] <= now:
        return (r[0], r[1], 0.0, None, r[4], r[5])
    return r


def newest(readings):
    """When the freshest of ``readings`` was observed, or None."""
    return max((r[4] for r in readings), default=None)


def display_percent(util):
    """Whole percent as shown: rounded to 0.1 first (56.99999999999999 is 57), then truncated,
    so 99.9 reads 99 (not the red 100)."""
    if util != util or util <= 0:
        return 0
    return int(round(min(util, 1e6), 1))  # inf or 1e308 from anywhere: a number, never OverflowError
