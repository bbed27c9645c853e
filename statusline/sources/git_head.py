"""The git branch of a folder, read from ``.git`` itself: no ``git`` process (peers that run one
time out in large repositories), a few ``stat`` calls and one small read. Hot-path safe.

Where git keeps it: ``<repo>/.git/HEAD`` holds ``ref: refs/heads/NAME``; a linked worktree's
``.git`` is a file, ``gitdir: PATH``, and that folder's ``HEAD`` holds its branch. A detached
HEAD holds a commit id: its first seven digits are shown.

The walk goes up from the session's folder at most ``LEVELS`` folders and stops at the first
``.git`` it meets. That ``.git`` is only read when it is ours (a shared folder such as /tmp
may hold one another user planted: nothing of theirs is ever shown) and through the one opener
(``safefiles.read_own``: a regular file of ours, never waited on, at most ``HEAD_MAX`` bytes),
so a FIFO, a huge file or a loop of links hangs nothing and shows nothing.
"""

from statusline.cache import oslite, safefiles
from statusline.core import clean

LEVELS = 32
HEAD_MAX = 4096
PATH_MAX = 4096
BRANCH_MAX = 60


def branch(start):
    """The branch (or short commit) of the repository holding folder ``start``, or None."""
    if not isinstance(start, str) or not start.startswith("/") or len(start) > PATH_MAX or "\0" in start:
        return None
    uid = oslite.geteuid() if hasattr(oslite, "geteuid") else None
    folder = start.rstrip("/") or "/"
    for _ in range(LEVELS):
        found = _at(folder, uid)
        if found is not False:
            return found
        parent = oslite.dirname(folder)
        if parent == folder:
            return None
        folder = parent
    return None


def _at(folder, uid):
    """The branch if ``folder`` holds a ``.git``; None when it holds one we may not read (the
    walk stops there); False when it holds none (the walk goes on up)."""
    dot_git = (folder.rstrip("/") or "") + "/.git"
    try:
        st = oslite.stat(dot_git)  # a link to a repository is followed; a loop of links fails here
    except (FileNotFoundError, NotADirectoryError):
        return False
    except (OSError, ValueError):
        return None
    if uid is not None and st.st_uid != uid:
        return None  # another user's: nothing of theirs on our line
    kind = st.st_mode & oslite.S_IFMT
    try:
        if kind == oslite.S_IFDIR:
            return parse_head(safefiles.read_own(dot_git + "/HEAD", HEAD_MAX))
        if kind == oslite.S_IFREG:  # a linked worktree: "gitdir: PATH"
            gitdir = _gitdir(safefiles.read_own(dot_git, HEAD_MAX), folder)
            return parse_head(safefiles.read_own(gitdir + "/HEAD", HEAD_MAX)) if gitdir else None
    except (OSError, ValueError):
        return None
    return None


def _gitdir(raw, folder):
    text = raw.decode("utf-8", "replace").strip()
    if not text.startswith("gitdir:"):
        return None
    path = text[len("gitdir:"):].strip()
    if not path or "\0" in path or "\n" in path or len(path) > PATH_MAX:
        return None
    return path if path.startswith("/") else folder.rstrip("/") + "/" + path


def parse_head(raw):
    """The branch a HEAD file names (``ref: refs/heads/main`` is ``main``), the first seven
    digits of a detached commit, or None."""
    text = raw.decode("utf-8", "replace").strip()
    if text.startswith("ref:"):
        ref = text[4:].strip()
        name = ref[len("refs/heads/"):] if ref.startswith("refs/heads/") else ref.rpartition("/")[2]
        return clean.text(name, BRANCH_MAX)
    if 40 <= len(text) <= 64 and all(c in "0123456789abcdef" for c in text):
        return text[:7]
    return None
