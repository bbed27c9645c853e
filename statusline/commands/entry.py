"""The console script's entry (``claude-usage-line``): the hot path served from the fast launch's
precompiled file when that file is this install's, then the line.

Why: a console script starts with ``site``, and each module it then imports is searched for in
its folder and read on its own, file by file. When ``setup`` has written the fast launch, its
precompiled file (``commands/precompiled``) holds those modules already; it is used here by the
same two checks the launcher makes (ours, for this Python, every source unchanged and under this
install's folder), else every module comes from its folder as usual. Only speed rests on it.

Where the file is, is ``fastpaths.launch_dir``'s rule. Importing it from its folder (with
``statusline.cache`` and ``oslite``) cost 0.026 of ``python -c pass``, a third of what this
entry adds, so the file is first looked for where the rule says in the usual case (``guess``):
a guess costs only speed when wrong, never correctness, since what is served is whatever passes
the checks, and the rule itself is asked when the guess finds nothing of this install's.
"""

import sys


def run():
    """``line.run`` with the hot path from the precompiled file when it is this install's."""
    prepare()
    from statusline.commands.line import run as line

    line()


def guess(env):
    """The fast launch's folder in the usual case: ``$XDG_DATA_HOME`` when it is a plain absolute
    path, ``$HOME/.local/share`` when it is unset, then ``claude-usage/bin``; None otherwise."""
    data = env.get("XDG_DATA_HOME") or ""
    if data.startswith("/") and "~" not in data and data == data.strip():
        return data.rstrip("/") + "/claude-usage/bin"
    if data:
        return None  # the rule's to read (a relative value ignored, a ``~`` expanded...)
    home = env.get("HOME") or ""
    return home.rstrip("/") + "/.local/share/claude-usage/bin" if home.startswith("/") else None


def prepare():
    """Serve the hot path from the fast launch's precompiled file when it is this install's;
    whether it is."""
    try:
        from os import environ  # loaded by site already

        from statusline.commands import precompiled

        first = guess(environ)
        if first is not None and precompiled.serve(first + "/" + precompiled.FILE, sys.argv):
            return True
        from statusline.cache import fastpaths, oslite

        where = fastpaths.launch_dir(oslite.environ())
        return where != first and precompiled.serve(oslite.join(where, precompiled.FILE), sys.argv)
    except Exception:  # noqa: BLE001 - never a reason for a missing line: the folders serve
        return False
