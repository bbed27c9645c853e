"""Usage history: every reading that reaches the cache, kept as a sample.

A sample is ``(time, key, name, utilization, resets_at)``: ``time`` is when the reading was
observed (epoch seconds), ``key``/``name`` name the window as readings do (``five_hour``,
``seven_day``, ``scoped`` + model name, ``routines``, ``extra``, ``spend``), ``resets_at`` is
epoch seconds or None. Two samples belong to the same window when key and name match and
their resets lie within ``SAME_WINDOW_S`` of each other.

Files in the account directory (0600):
- ``history.bin``      a marshal'd list of samples, sorted by time; bounded to ``MAX_AGE``
  (eight days) and ``MAX_SAMPLES``; replaced atomically (temp file + ``os.replace``);
- ``history.pending``  samples appended cheaply by Claude Code's hook (one marshal record per
  append), folded into ``history.bin`` by the next ``record`` (the fetcher's);
- ``history.lock``     ``fcntl.flock`` around every read-modify-write of the two, so many
  processes never lose each other's samples.

Nothing on the line's hot path reads these. This module imports only what Python has loaded
at start-up (``os``, ``marshal``) plus ``fcntl``, so the hook can afford ``note``.
"""

import marshal

from statusline.cache import oslite, safefiles
from statusline.core.readings import same_window  # the one "same window" rule

HISTORY = "history.bin"
PENDING = "history.pending"
LOCK = "history.lock"

MAX_AGE = 8 * 86400.0
MAX_SAMPLES = 20000
HEARTBEAT_S = 300.0  # an unchanged reading is kept again after this long (flat stretches stay visible)
HISTORY_LIMIT = 16 << 20  # MAX_SAMPLES samples are well under this
NOTE_WAIT_S = 0.1  # the hook waits this long for the lock, then drops its sample
PENDING_FOLD_BYTES = 64 * 1024  # the hook folds itself past this size (no fetcher running)


def from_windows(windows, observed_at, source="api"):
    """Readings ``(key, name, utilization, resets_at, observed_at, source)`` from line-view
    windows: ``(key, name, utilization, resets_at)`` get ``observed_at`` and ``source``; full
    readings (six items) keep their own."""
    out = []
    for w in windows or ():
        if len(w) >= 4 and _number(w[2]):
            seen = w[4] if len(w) >= 6 and _number(w[4]) else observed_at
            out.append((w[0], w[1], float(w[2]), w[3], float(seen), w[5] if len(w) >= 6 else source))
    return out


def _number(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool) and x == x and abs(x) < 1e12


def _sample(reading, now):
    """A reading as a sample, or None when it is not a well-formed reading."""
    try:
        key, name, util, resets, observed = reading[0], reading[1], reading[2], reading[3], reading[4]
    except (TypeError, IndexError):
        return None
    if not isinstance(key, str) or not (name is None or isinstance(name, str)) or not _number(util):
        return None
    if resets is not None and not _number(resets):
        return None
    t = float(observed) if _number(observed) else float(now)
    if resets is not None and float(resets) <= (max(t, float(now)) if _number(now) else t):
        return None  # that window has reset: its percentage is no current sample
    return (t, key, name, round(float(util), 4), None if resets is None else float(resets))




# --- files --------------------------------------------------------------------------------


def _read_history(acct):
    path = oslite.join(acct, HISTORY)
    try:
        raw = safefiles.read_own(path, HISTORY_LIMIT)
    except FileNotFoundError:
        return []
    except OSError:
        raw = None
    data = None if raw is None else safefiles.loads_marshal(raw)  # sizes checked before loading
    if data is None:
        try:
            oslite.replace(path, path + ".corrupt")
        except OSError:
            pass
        return []
    if not isinstance(data, list):
        return []
    return [s for s in data if isinstance(s, tuple) and len(s) == 5]


def _read_pending(acct):
    out = []
    try:
        import io

        with io.BytesIO(safefiles.read_own(oslite.join(acct, PENDING), 8 << 20)) as fh:  # ours, no FIFO
            while True:
                try:
                    chunk = marshal.load(fh)
                except EOFError:
                    break
                if isinstance(chunk, list):
                    out.extend(s for s in chunk if isinstance(s, tuple) and len(s) == 5)
    except (OSError, ValueError, TypeError):
        pass
    return out


def _write(acct, samples):
    safefiles.write_atomic(oslite.join(acct, HISTORY), safefiles.dumps_marshal(samples))


def merge(samples, new):
    """``samples`` and ``new`` together, time-sorted and deduplicated. Pure.

    Order of arrival does not matter (a hook's note may be folded in after a later fetch):
    a sample is dropped when it repeats the previous kept sample of its window (same
    utilization and reset) less than ``HEARTBEAT_S`` after it.
    """
    out = []
    last = {}
    for s in sorted([*samples, *new], key=lambda s: (s[0], s[1], s[2] or "", s[3])):
        prev = last.get((s[1], s[2]))
        if prev is not None and s[3] == prev[3] and same_window(s[4], prev[4]) and s[0] - prev[0] < HEARTBEAT_S:
            continue
        out.append(s)
        last[(s[1], s[2])] = s
    return out


def bound(samples, now):
    """The last ``MAX_AGE`` seconds (nothing from the future), at most ``MAX_SAMPLES``."""
    cutoff = now - MAX_AGE
    return [s for s in samples if cutoff <= s[0] <= now + 3600][-MAX_SAMPLES:]


def record(acct_dir, readings, now):
    """Append readings as samples (and fold in the hook's pending ones), under the lock."""
    acct = oslite.fspath(acct_dir)
    new = [s for s in (_sample(r, now) for r in readings or ()) if s is not None]
    safefiles.makedirs_private(acct)
    with safefiles.Locked(oslite.join(acct, LOCK)):
        _fold_locked(acct, new, now)


def _fold_locked(acct, new, now):
    pending = _read_pending(acct)
    old = _read_history(acct)
    samples = bound(merge(old, pending + new), now)
    if samples != old:
        _write(acct, samples)
    if pending:
        try:
            oslite.unlink(oslite.join(acct, PENDING))
        except OSError:
            pass


def adopt(from_dir, to_dir, since, now):
    """Move the samples kept in ``from_dir`` (noted while the account was not yet known: the
    config dir's account dir itself) into ``to_dir`` (that account's own history, once known).
    Samples observed before ``since`` (when this account logged in there, or None) are another
    account's and are dropped with the rest. Locks ``from_dir``, then ``to_dir``."""
    src, dst = oslite.fspath(from_dir), oslite.fspath(to_dir)
    if src == dst or not any(oslite.lexists(oslite.join(src, n)) for n in (HISTORY, PENDING)):
        return
    safefiles.makedirs_private(dst)
    with safefiles.Locked(oslite.join(src, LOCK)):
        moved = merge(_read_history(src), _read_pending(src))
        if since is not None:
            moved = [s for s in moved if s[0] >= since]
        with safefiles.Locked(oslite.join(dst, LOCK)):
            _fold_locked(dst, moved, now)
        for name in (HISTORY, PENDING):
            try:
                oslite.unlink(oslite.join(src, name))
            except OSError:
                pass


def note(acct_dir, readings, now):
    """The hook's cheap path: append readings to ``history.pending`` (no fsync, no rewrite).

    Takes the lock without waiting long; a busy history drops this one sample rather than
    slowing Claude Code's status line. Folds in place when the pending file grows large
    (no fetcher has run for a while).
    """
    acct = oslite.fspath(acct_dir)
    new = [s for s in (_sample(r, now) for r in readings or ()) if s is not None]
    if not new:
        return
    try:
        safefiles.makedirs_private(acct)
        with safefiles.Locked(oslite.join(acct, LOCK), NOTE_WAIT_S):
            path = oslite.join(acct, PENDING)
            try:
                size = oslite.stat(path).st_size
            except FileNotFoundError:
                size = 0
            if size > PENDING_FOLD_BYTES:
                _fold_locked(acct, new, now)
                return
            fd = safefiles.append_fd(path)  # no link followed, 0600
            try:
                oslite.write(fd, marshal.dumps(new, safefiles.MARSHAL_VERSION))
            finally:
                oslite.close(fd)
    except OSError:
        pass  # history is a nicety: never break the caller


def load(acct_dir, key=None, since=None, until=None, name=None):
    """Samples sorted by time (pending ones included), filtered by window key/name and time."""
    acct = oslite.fspath(acct_dir)
    samples = merge(_read_history(acct), _read_pending(acct))
    out = []
    for s in samples:
        if key is not None and s[1] != key:
            continue
        if name is not None and s[2] != name:
            continue
        if since is not None and s[0] < since:
            continue
        if until is not None and s[0] > until:
            continue
        out.append(s)
    return out
