"""The ``os`` of the hot path: its system calls, the environment as text, and the few path
functions the line and the hook use, without importing ``os``.

Why: the fast launch (``commands/launcher``) starts Python with ``-I -S``, and then ``os`` is
not loaded yet. Importing it costs about 1 ms (``_collections_abc`` alone 0.6 ms), a seventh of
the whole start and more than everything else the line does (``python bench/line.py
--importtime``). The system calls are ``posix``'s, built into every POSIX Python (``os``
re-exports them: ``oslite.stat is os.stat``); what ``os`` adds in Python is done here only for
the common case, and every other case is handed to ``os`` itself, so no rule of it is written
again here. Where ``os`` is loaded already (a console script, the fetcher, the tests), its own
``environ`` is used.
"""

import sys

if sys.platform == "win32":  # pragma: no cover - no fast launch there (see launcher): os itself
    from os import *  # noqa: F403
    _bytes_environ = None
else:  # the system calls, as os has them (os re-exports these very functions)
    from posix import (  # noqa: F401
        O_APPEND,
        O_CLOEXEC,
        O_CREAT,
        O_EXCL,
        O_NOFOLLOW,
        O_NONBLOCK,
        O_RDONLY,
        O_RDWR,
        O_WRONLY,
        POSIX_SPAWN_DUP2,
        POSIX_SPAWN_OPEN,
        _exit,
        chmod,
        close,
        fchmod,
        fspath,
        fstat,
        fsync,
        get_blocking,
        get_inheritable,
        geteuid,
        getpid,
        listdir,
        lstat,
        mkdir,
        open,
        posix_spawn,
        read,
        rename,
        replace,
        rmdir,
        set_blocking,
        set_inheritable,
        stat,
        unlink,
        urandom,
        utime,
        write,
    )
    from posix import environ as _bytes_environ

sep = "/"
devnull = "/dev/null"
# A file's kind in ``st_mode`` (``stat.S_IFMT`` and its values; ``stat`` is one more import)
S_IFMT, S_IFDIR, S_IFREG, S_IFIFO = 0o170000, 0o040000, 0o100000, 0o010000
_text_environ = None


def environ():
    """The environment as ``os.environ`` has it: ``os.environ`` itself when ``os`` is loaded,
    else the process's environment decoded once as ``os`` decodes it (the file system
    encoding, surrogateescape)."""
    global _text_environ
    loaded = sys.modules.get("os")
    if loaded is not None or _bytes_environ is None:
        import os

        return os.environ
    if _text_environ is None:
        enc = sys.getfilesystemencoding()
        _text_environ = {k.decode(enc, "surrogateescape"): v.decode(enc, "surrogateescape")
                         for k, v in _bytes_environ.items()}
    return _text_environ


def _posixpath():
    import posixpath  # the uncommon cases: this imports os, which is what we avoid for the rest

    return posixpath


def join(a, *parts):
    """``os.path.join`` for text paths."""
    if not isinstance(a, str):
        return _posixpath().join(a, *parts)
    for b in parts:
        if b.startswith("/"):
            a = b
        elif not a or a.endswith("/"):
            a += b
        else:
            a += "/" + b
    return a


def _is_normal(p):
    """True when ``os.path.normpath(p)`` is ``p``: absolute, no empty, ``.`` or ``..`` part."""
    return (p.startswith("/") and not p.startswith("//") and len(p) > 1
            and all(c not in ("", ".", "..") for c in p[1:].split("/")))


def abspath(p):
    """``os.path.abspath``; the common case (already absolute and normal) costs no import."""
    if isinstance(p, str) and _is_normal(p):
        return p
    return _posixpath().abspath(p)


def expanduser(p):
    """``os.path.expanduser``; ``~`` and ``~/...`` with ``$HOME`` set cost no import."""
    if not isinstance(p, str) or not p.startswith("~"):
        return p
    home = environ().get("HOME")
    if home and (p == "~" or p.startswith("~/")):
        return (home.rstrip("/") + p[1:]) or "/"
    return _posixpath().expanduser(p)


def dirname(p):
    """``os.path.dirname``."""
    i = p.rfind("/") + 1
    head = p[:i]
    if head and head != "/" * len(head):
        head = head.rstrip("/")
    return head


def split(p):
    """``os.path.split``."""
    return dirname(p), p[p.rfind("/") + 1:]


def isabs(p):
    return p.startswith("/")


def _mode(p, follow=True):
    try:
        return (stat if follow else lstat)(p).st_mode & S_IFMT
    except (OSError, ValueError):
        return None


def isdir(p):
    """``os.path.isdir``."""
    return _mode(p) == S_IFDIR


def lexists(p):
    """``os.path.lexists``."""
    return _mode(p, follow=False) is not None


def isfile(p):
    """``os.path.isfile``."""
    return _mode(p) == S_IFREG


if sys.platform == "win32":  # pragma: no cover - the functions above are POSIX's: os.path's there
    from os import devnull, sep  # noqa: F401, F811 - re-exported
    from os.path import abspath, dirname, expanduser, isabs, isdir, isfile, join, lexists, split  # noqa: F401, F811
