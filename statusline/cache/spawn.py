"""Start the background fetcher from the hot path: detached, debounced, holding nothing of ours.

Imports only sys, time and ``oslite`` (``os`` without its import cost); ``safefiles`` (which adds
no more than marshal) is loaded only when a fetcher is actually started, so a line that starts
none pays for one small module.

- **Debounced** by ``spawn.stamp``: a burst of prompts starts one fetcher. A stamp that is not
  a regular file (a directory, a link) is repaired, not a silent stop. And while a fetcher is
  at work (its ``fetch.owner`` is there: ``at_work``), none is started at all, debounce or not:
  with the API hanging, every call would otherwise start one that only finds the lock taken.
- **Held** when the cache cannot be written (a full disk): the fetcher's backoff could not be
  saved, so ``hold`` keeps lines from starting fetchers until it ends (an hour at most),
  carried by the stamp's mtime and mode alone, which need no free block.
- **Detached**: a new session, stdin and stdout on ``/dev/null``, stderr appended to
  ``fetcher.log`` (opened without following a planted link), **no other descriptor**, so
  ``$(claude-usage-line 3>&1)`` returns at once, and ``cwd`` ``/`` so it pins no mount.
"""

import sys
import time

from statusline.cache import oslite

STAMP = "spawn.stamp"
LOG = "fetcher.log"
OWNER = "fetch.owner"  # store.OWNER: there while a fetcher holds the lock
AT_WORK_S = 120.0  # an owner file younger than this is a fetcher at work (one killed with -9 ages out)
HOLD_MODE = 0o400  # a stamp in this mode, dated ahead, holds further fetchers until its date
HOLD_MAX = 3600.0


def claim(acct, now, debounce):
    """Take the spawn slot: None when this caller should start the fetcher, else why not.

    ``"debounced"`` (a recent stamp, or another line won the race) is not a problem; other
    answers are problem texts for the line.
    """
    from statusline.cache import safefiles

    if at_work(acct, now):
        return "debounced"  # it will write the view; another fetcher would only find the lock taken
    stamp = oslite.join(acct, STAMP)
    try:
        st = oslite.lstat(stamp)
    except (FileNotFoundError, NotADirectoryError):
        st = None
    except OSError:
        return "cache dir not readable"
    if st is not None:
        if safefiles.is_regular(st) and 0 <= now - st.st_mtime < debounce:
            return "debounced"
        if (safefiles.is_regular(st) and st.st_mode & 0o777 == HOLD_MODE
                and 0 < st.st_mtime - now <= HOLD_MAX):
            return "debounced"  # held: a fetcher could not save its backoff
        if not safefiles.clear_path(stamp):
            return "cannot replace %s" % stamp
    try:
        safefiles.prepare_dir(acct)
    except safefiles.UnsafeDir as exc:
        return str(exc)
    except OSError:
        return "cache dir not writable"
    try:
        oslite.close(safefiles.open_nofollow(stamp, oslite.O_CREAT | oslite.O_EXCL | oslite.O_WRONLY))
    except FileExistsError:
        return "debounced"  # another line won the race: it starts the fetcher
    except OSError:
        return "cache dir not writable"
    return None


def at_work(acct, now):
    """Whether a fetcher holds this account's lock now: its ``fetch.owner`` (written when it takes
    the lock, removed when it lets go) is a regular file younger than ``AT_WORK_S``. One stat."""
    try:
        st = oslite.lstat(oslite.join(acct, OWNER))
    except OSError:
        return False
    return st.st_mode & oslite.S_IFMT == oslite.S_IFREG and 0 <= now - st.st_mtime < AT_WORK_S


def hold(acct, until, now=None):
    """Start no fetcher for this account until ``until`` (epoch s; at most ``HOLD_MAX`` ahead).

    For a fetcher that could not save its result (a full disk): without it, every line would
    start another fetcher, and each would call the API again. Writes no data, only the
    stamp's date and mode, so it works when the disk is full. True when the hold is set.
    """
    from statusline.cache import safefiles

    now = time.time() if now is None else now
    until = min(float(until), now + HOLD_MAX)
    if not until > now:
        return False
    stamp = oslite.join(acct, STAMP)
    try:
        st = oslite.lstat(stamp)
        if safefiles.is_regular(st) and st.st_mode & 0o777 == HOLD_MODE and until < st.st_mtime <= now + HOLD_MAX:
            return True  # a longer hold is already in place: never shorten it
    except OSError:
        pass
    try:
        try:
            oslite.close(safefiles.open_nofollow(stamp, oslite.O_WRONLY | oslite.O_CREAT))
        except OSError:
            if not safefiles.is_regular(oslite.lstat(stamp)):
                return False
        oslite.chmod(stamp, HOLD_MODE)
        oslite.utime(stamp, (until, until))
    except OSError:
        return False
    return True


def fetcher_argv(mode):
    """The fetcher's command line: this interpreter, this package, ``cwd`` moved to ``/`` first."""
    pkg_parent = oslite.dirname(oslite.dirname(oslite.dirname(oslite.abspath(__file__))))  # statusline/cache/..
    code = ("import os;os.chdir('/');import sys;sys.path[0]=%r;"
            "from statusline.fetch.fetcher import main;sys.exit(main())" % pkg_parent)
    return [sys.executable, "-c", code, "--mode", mode, "--background"]


def start(argv, log_path, env=None):
    """Start ``argv`` detached with only fds 0-2 (stderr to ``log_path``); a problem or None."""
    from statusline.cache import safefiles

    env = oslite.environ() if env is None else env
    try:
        log_fd = safefiles.append_fd(log_path)
    except OSError:
        log_fd = None  # a planted link or an unwritable log: run without one
    safefiles.untrusted_fds(keep=(0, 1, 2) if log_fd is None else (0, 1, 2, log_fd))
    try:
        if log_fd is None:
            err = (oslite.POSIX_SPAWN_OPEN, 2, oslite.devnull, oslite.O_WRONLY, 0)
        else:
            err = (oslite.POSIX_SPAWN_DUP2, log_fd, 2)
        try:
            oslite.posix_spawn(argv[0], argv, env, file_actions=[
                (oslite.POSIX_SPAWN_OPEN, 0, oslite.devnull, oslite.O_RDONLY, 0),
                (oslite.POSIX_SPAWN_OPEN, 1, oslite.devnull, oslite.O_WRONLY, 0),
                err,
            ], setsid=True)
        except (AttributeError, OSError):  # no posix_spawn here: the slower, portable way
            import subprocess

            try:
                subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                 stderr=log_fd if log_fd is not None else subprocess.DEVNULL,
                                 start_new_session=True, close_fds=True, cwd="/", env=env)
            except OSError:
                return "cannot start fetcher"
    finally:
        if log_fd is not None:
            oslite.close(log_fd)
    return None


def spawn_fetcher(acct, mode, now=None, debounce=10.0):
    """Start the fetcher detached, at most once per ``debounce`` seconds. Returns a problem or None."""
    now = time.time() if now is None else now
    why = claim(acct, now, debounce)
    if why == "debounced":
        return None
    if why is not None:
        return why if why.startswith("cache dir") and len(why) < 40 else "cache dir unusable"
    return start(fetcher_argv(mode), oslite.join(acct, LOG))
