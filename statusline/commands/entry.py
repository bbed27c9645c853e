"""The console script's entry (``claude-usage-line``): the hot path served from the fast launch's
precompiled file when that file is this install's, then the line.

Why: a console script starts with ``site``, and each module it then imports is searched for in
its folder and read on its own, file by file. When ``setup`` has written the fast launch, its
precompiled file (``commands/precompiled``) holds those modules already; it is used here by the
same two checks the launcher makes (ours, for this Python, every source unchanged and under this
install's folder), else every module comes from its folder as usual. Only speed rests on it.
"""

import sys


def run():
    """``line.run`` with the hot path from the precompiled file when it is this install's."""
    prepare()
    from statusline.commands.line import run as line

    line()


def prepare():
    """Serve the hot path from the fast launch's precompiled file when it is this install's;
    whether it is."""
    try:
        from statusline.cache import fastpaths, oslite
        from statusline.commands import precompiled

        code = oslite.join(fastpaths.launch_dir(oslite.environ()), precompiled.FILE)
        return precompiled.serve(code, sys.argv)
    except Exception:  # noqa: BLE001 - never a reason for a missing line: the folders serve
        return False
