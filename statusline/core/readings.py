"""Readings and the one rule that merges them. Hot-path safe: no imports.

Every source (the usage API, Claude Code's statusLine input, ``~/.claude.json``, Pace Maker)
turns its outside format into readings of one shape, a plain tuple so that it marshals::

    (key, name, utilization, resets_at, observed_at, source)

- ``key``: ``five_hour`` | ``seven_day`` | ``routines`` (its own weekly limit) | ``scoped``
  (a per-model weekly limit; ``name`` is the model's display name, else None);
- ``utilization``: percent, finite, may exceed 100; ``resets_at``, ``observed_at``: epoch s;
- ``source``: ``api`` | ``claude-code`` | ``claude-json`` | ``pace-maker``.

Merge rule, per (key, name) of one account (readings of two accounts never meet here: the
cache and the history are kept per account, an account change starts empty, and harvested
readings heard before it are dropped):

1. The reading observed last wins, lower or not, and whatever its reset. Why: utilization is
   usage / the plan's allowance, and the allowance can change inside a window (a Max 5x -> 20x
   upgrade took a weekly meter from 100 % to 0 %; a downgrade pins it up; limits have been reset
   for everyone mid-window), and a window's reset can move earlier. The newest authoritative
   answer is the truth; "usage never goes down" is not.
2. Readings observed within ``CLOSE_S`` of each other (two busy sessions answered at about the
   same moment, or a session and the API) are one moment: within the same window the larger
   utilization wins (then the newer observation). Why: neither is staler, and the larger is the
   safe side of a limit.
3. A reading stamped in the future (a clock ahead, a hostile file) counts as observed ``now``:
   it can never outrank what comes later by being dated later.
4. A window whose reset has passed reads 0 with no reset (``live``). Why: it has reset, its old
   percentage no longer holds.
5. A reading of a window whose reset has passed never displaces a reading of a later window,
   however late it was observed. Why: it says nothing about the window that runs now; an idle
   session replaying numbers an hour past their reset would otherwise turn a fresh 78 % into 0.

"Observed" is when the source heard the number from the server, which depends on the source:
the usage API's fetch time; ``~/.claude.json``'s ``fetchedAtMs``; Pace Maker's row time; for
Claude Code's statusLine input the modification time of the session's transcript (its last
traffic; an idle session replays old numbers on every refresh), else the first time the hook
saw those numbers for that session. Each source stamps its own readings; this module only
compares the stamps.
"""

SAME_WINDOW_S = 120.0  # resets this close apart name the same window
CLOSE_S = 5.0  # observations this close apart are one moment (rule 2)
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


def same_window(a_resets, b_resets):
    """Whether two resets name the same window: within ``SAME_WINDOW_S`` of each other (the API
    and Claude Code round a reset differently), or neither known. The one test of it: the merge,
    the history, the forecast and the notifications all ask here."""
    if a_resets is None or b_resets is None:
        return a_resets is None and b_resets is None
    return abs(a_resets - b_resets) <= SAME_WINDOW_S


def ended(r, now):
    """Whether reading ``r`` is of a window whose reset has passed at ``now``."""
    return now is not None and r[3] is not None and r[3] <= now


def merge_one(old, new, now=None):
    """The reading that stands for one window after ``new`` meets ``old`` (either may be None).
    Both must already be clamped to ``now`` (``merge`` does it)."""
    if old is None:
        return new
    if new is None:
        return old
    if ended(old, now) != ended(new, now) and not same_window(old[3], new[3]):
        return old if ended(new, now) else new  # rule 5: a finished window says nothing of this one
    o_at, n_at = old[4], new[4]
    if abs(n_at - o_at) <= CLOSE_S:
        o_reset, n_reset = old[3], new[3]
        same = same_window(o_reset, n_reset)
        if same and new[2] != old[2]:
            return new if new[2] > old[2] else old  # one moment: the larger is the safe side
        if not same and (o_reset is None) != (n_reset is None):
            return new if n_reset is not None else old  # a reading with a reset says more
    return new if n_at >= o_at else old  # the reading observed last wins, lower or not


def merge(*groups, now=None):
    """All readings of all ``groups`` folded into one per window, in display order. With ``now``,
    a reading observed after ``now`` counts as observed ``now`` (rule 3)."""
    got = {}
    for group in groups:
        for r in group or ():
            if is_reading(r):
                r = tuple(r)
                if now is not None and r[4] > now:
                    r = r[:4] + (now, r[5])
                k = (r[0], r[1] if r[0] == "scoped" else None)
                got[k] = merge_one(got.get(k), r, now)
    return sorted(got.values(), key=order)


def observed_at(stamp, now):
    """A source's observation time bounded by ``now`` (a stamp from the future is ``now``), or
    None when ``stamp`` is no plausible time."""
    if not within(stamp, EPOCH_MIN, EPOCH_MAX):
        return None
    return min(float(stamp), now)


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
