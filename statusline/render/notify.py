"""Desktop notifications when a window crosses a threshold: opt-in, once, never blocking.

Thresholds come from ``CLAUDE_USAGE_NOTIFY`` (``"80,95"``); unset or empty means off. For
each window (key + name, identified by its reset) the user is told once per threshold when
a reading reaches it, and once more when a window that had reached the top threshold
resets ("5-hour limit reset"). When several thresholds are passed at once only the highest
is announced (the lower ones count as told).

State lives beside the account dirs in the cache root (``notify-<account>.bin``, a marshal'd
dict, one per Claude config dir so both modes share it) and every read-modify-write holds an
``fcntl.flock`` on ``notify-<account>.lock``: a hundred processes seeing the same reading
give one notification.

Backends, first that applies: ``notify-send`` (Linux, when on PATH), ``osascript`` (macOS),
``tmux display-message`` (inside tmux: ``TMUX`` set), else nothing. The command is spawned
detached with ``posix_spawn`` (no wait). Imports only ``sys``, ``cache/oslite`` and
``fcntl``: cheap enough for Claude Code's hook.
"""

import sys

from statusline.cache import oslite
from statusline.cache.cache_view import NOTIFY_ENV
from statusline.core.readings import SAME_WINDOW_S, same_window

ENV = NOTIFY_ENV
TITLE = "Claude usage"
MAX_READING_AGE = 3600.0  # older readings (e.g. a days-old ~/.claude.json copy) announce nothing
LABELS = {"five_hour": "5-hour", "seven_day": "7-day", "routines": "Routines weekly", "extra": "Extra usage",
          "spend": "Spend"}


def thresholds(env):
    """Sorted distinct thresholds in (0, 1000] from ``CLAUDE_USAGE_NOTIFY``; [] when off."""
    raw = (env.get(ENV) or "").replace(";", ",")
    out = set()
    for part in raw.split(","):
        part = part.strip().rstrip("%")
        try:
            v = float(part)
        except ValueError:
            continue
        if 0 < v <= 1000:
            out.add(v)
    return sorted(out)


def label(key, name):
    if key == "scoped":
        return "%s weekly" % (name or "model")
    return LABELS.get(key, key)


def _fmt(v):
    return "%d" % v if v == int(v) else "%g" % v


def _clock(epoch):
    import time

    return time.strftime("%H:%M", time.localtime(epoch))


def decide(state, readings, levels, now):
    """(new state, messages) for ``readings``; pure.

    ``state`` maps ``"key|name"`` to ``{"resets": float|None, "told": [thresholds], "top": bool}``;
    ``top`` means the top threshold was announced and its reset is still to be.
    """
    state = {k: dict(v) for k, v in (state or {}).items() if isinstance(v, dict)}
    messages = []
    top = levels[-1] if levels else None
    for wid, cur in state.items():  # a window past its reset has reset, reading or not (idle)
        resets = cur.get("resets")
        if cur.get("top") and isinstance(resets, (int, float)) and resets < now - SAME_WINDOW_S:
            key, _, name = wid.partition("|")
            messages.append("%s limit reset" % label(key, name or None))
            cur["top"] = False
    for r in readings:
        try:
            key, name, util, resets, observed = r[0], r[1], float(r[2]), r[3], r[4]
        except (TypeError, IndexError, ValueError):
            continue
        if observed is not None and now - observed > MAX_READING_AGE:
            continue
        if resets is not None and resets < now - SAME_WINDOW_S:
            continue  # a reading of a finished window
        wid = "%s|%s" % (key, name or "")
        cur = state.get(wid)
        if cur is not None and not same_window(cur.get("resets"), resets):
            old = cur.get("resets")
            if old is not None and resets is not None and resets < old:
                continue  # an older window replayed by a lagging source
            if cur.get("top"):
                messages.append("%s limit reset" % label(key, name))
            cur = None
        if cur is None:
            cur = {"resets": resets, "told": [], "top": False}
        told = list(cur.get("told") or [])
        crossed = [t for t in levels if util >= t and t not in told]
        if crossed:
            hi = crossed[-1]
            when = " (resets %s)" % _clock(resets) if resets is not None else ""
            messages.append("%s limit at %d%%%s" % (label(key, name), int(util), when))
            told = sorted(set(told) | {t for t in levels if t <= hi})
            if hi == top:
                cur["top"] = True
        cur["told"] = told
        if cur.get("resets") is None and resets is not None:
            cur["resets"] = resets
        state[wid] = cur
    return state, messages


ACCOUNT = "account"  # the state's entry naming whose crossings it holds (window ids hold a "|")




def _state_paths(acct_dir):
    acct = oslite.fspath(acct_dir)
    root, base = oslite.split(acct.rstrip(oslite.sep))
    account = base.split("-", 1)[1] if "-" in base else base  # "<mode>-<hash>": shared by both modes
    return oslite.join(root, "notify-%s.bin" % account), oslite.join(root, "notify-%s.lock" % account)


def _load(path):
    from statusline.cache import safefiles

    data = safefiles.load_marshal(path)
    return data if isinstance(data, dict) else {}


def _save(path, state):
    from statusline.cache import safefiles  # atomic, 0600, no link followed, no temp file left

    safefiles.write_atomic(path, safefiles.dumps_marshal(state), sync=False)


def maybe_notify(acct_dir, readings, now, env, key=None):
    """Announce thresholds newly crossed by ``readings`` (and resets); returns the messages sent.
    ``key`` names the account (its state is its own)."""
    levels = thresholds(env)
    if not levels or not readings:
        return []
    from statusline.cache import safefiles
    from statusline.cache.cache_view import valid_key

    key = valid_key(key)
    path, lock = _state_paths(acct_dir)
    try:
        safefiles.makedirs_private(oslite.dirname(path))
        with safefiles.Locked(lock, safefiles.LOCK_TIMEOUT_S):  # a held lock: skip, never hang
            old = _load(path)
            owner = old.pop(ACCOUNT, None)
            if key and owner and owner != key:
                old = {}  # another account's crossings are not this one's: it starts untold
            state, messages = decide(old, readings, levels, now)
            state[ACCOUNT] = key or owner  # a caller that does not know the account keeps the owner
            if messages or state != {**old, ACCOUNT: owner}:
                _save(path, state)
    except OSError:
        return []
    for m in messages:
        send(m, env)
    return messages


def _which(prog, env):
    import os  # only to send a notification, which is rare

    for d in (env.get("PATH") or os.defpath).split(os.pathsep):
        p = os.path.join(d or ".", prog)
        if os.path.isfile(p) and os.access(p, os.X_OK):
            return p
    return None


def command(message, env, platform=None):
    """The argv that shows ``message``, or None when there is no way to."""
    from statusline.render import dialects

    platform = sys.platform if platform is None else platform
    if platform.startswith("linux"):
        exe = _which("notify-send", env)
        if exe:
            return dialects.notify_argv(exe, TITLE, message)
    if platform == "darwin":
        exe = _which("osascript", env)
        if exe:
            script = "display notification %s with title %s" % (
                dialects.applescript_string(message), dialects.applescript_string(TITLE))
            return [exe, "-e", script]
    if env.get("TMUX"):
        exe = _which("tmux", env)
        if exe:
            return [exe, "display-message", "--", dialects.tmux_message_text("%s: %s" % (TITLE, message))]
    return None


def send(message, env):
    """Spawn the backend detached (stdio to /dev/null, own session); never waits for it."""
    argv = command(message, env)
    if argv is None:
        return False
    try:
        oslite.posix_spawn(argv[0], argv, dict(env), file_actions=[
            (oslite.POSIX_SPAWN_OPEN, 0, oslite.devnull, oslite.O_RDONLY, 0),
            (oslite.POSIX_SPAWN_OPEN, 1, oslite.devnull, oslite.O_WRONLY, 0),
            (oslite.POSIX_SPAWN_OPEN, 2, oslite.devnull, oslite.O_WRONLY, 0),
        ], setsid=True)
    except (AttributeError, OSError):
        return False
    return True


def with_config(env, cfg):
    """The environment with config.toml's ``[notify] at`` (from the line view's ``config``) as
    ``CLAUDE_USAGE_NOTIFY`` when the environment does not set it: the environment wins."""
    at = (cfg or {}).get("notify_at") if isinstance(cfg, dict) else None
    if env.get(ENV) or not at:
        return env
    return dict(env, **{ENV: ",".join("%g" % x for x in at)})
