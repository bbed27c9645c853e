"""The fast launch: the command ``claude-usage setup`` writes for Claude Code, tmux, Starship and
the shells, where the console script would cost more than the interpreter's own start.

A console script starts Python with ``site``: a venv's ``.pth`` files (setuptools'
``distutils-precedence.pth`` imports ``_distutils_hack`` at every start), the user site, the
wrapper's own imports; a console script can pass no interpreter flags. The launcher is a tiny
script, ``$XDG_DATA_HOME/claude-usage/bin/claude-usage-line`` (``~/.local/share/...``), whose
``#!`` line runs this install's interpreter with ``-I -S`` (no ``site``, no user site, no
``PYTHON*`` variables, not the current directory on ``sys.path``) and which names this install's
package folder itself, since it knows where it was installed: the same interpreter, the same
code as the console script, less start-up.

When it cannot apply, the console script is used, at two points:
- at setup: not POSIX, an interpreter path a ``#!`` line cannot carry (whitespace, too long),
  or the launch does not run (it is tried before anything names it);
- at every run: when the package is no longer where the launcher says (uninstalled, moved,
  a venv rebuilt for another Python), the launcher runs the console script instead.
An upgrade in place keeps the interpreter and the folder, so the launcher keeps working; each
``setup`` rewrites it only when its text changes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

NAME = "claude-usage-line"
SHEBANG_LIMIT = 127  # bytes of a #! line the kernel reads (Linux before 5.1, and macOS: 512)

TEMPLATE = '''#!{python} -IS
# claude-usage-line's fast launch, written by `claude-usage setup` (rewritten by each run of it).
# No `site` at start-up: the package's folder is named here, first while the package is found
# (no search through the standard library's folders), then last. The hot path's modules come
# from the precompiled file beside this one while it matches their sources (see
# statusline/commands/precompiled.py). When the package is not there any more, the console
# script runs instead.
import sys
sys.path.insert(0, {site!r})
try:
    from statusline.commands import precompiled
    precompiled.install({code!r})
    from statusline.commands.line import run
except ImportError:
    import os
    for script in ({script!r}, "claude-usage-line"):
        try:
            os.execvp(script, [script] + sys.argv[1:])
        except OSError:
            pass
    sys.stdout.write("claude: ?\\n")
    sys.exit(0)
sys.path.append(sys.path.pop(0))
run()
'''


def path(env: Mapping[str, str] | None = None) -> Path:
    """Where the launcher lives; the tmux plugin and the shell plugins look there too."""
    env = os.environ if env is None else env
    data = env.get("XDG_DATA_HOME") or os.path.join(env.get("HOME") or os.path.expanduser("~"), ".local", "share")
    return Path(data) / "claude-usage" / "bin" / NAME


def package_parent() -> str:
    """The folder holding this install's ``statusline`` package (site-packages, or a checkout)."""
    return str(Path(__file__).resolve().parent.parent.parent)


def console_script() -> str:
    """The console script by absolute path: a prompt's or Claude Code's PATH may not hold it."""
    beside = Path(sys.executable).parent / NAME  # the same install's (a venv, pipx)
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which(NAME)
    if found:
        return found
    if sys.argv and sys.argv[0]:
        beside = Path(sys.argv[0]).resolve().parent / NAME
        if beside.exists():
            return str(beside)
    return NAME


def code_path(launcher: Path) -> Path:
    """The precompiled hot path (see ``precompiled``), beside the launcher that reads it."""
    return launcher.with_name(NAME + ".code")


def text(python: str, site: str, script: str, code: str = "") -> str | None:
    """The launcher's text, or None when a ``#!`` line cannot carry this interpreter. ``code``
    names its precompiled file (none: every module from its folder)."""
    shebang = "#!%s -IS" % python
    if (os.name != "posix" or not python or not os.path.isabs(python) or any(c.isspace() for c in python)
            or len(shebang.encode()) > SHEBANG_LIMIT):
        return None
    return TEMPLATE.format(python=python, site=site, script=script, code=code)


def _wanted(where: Path) -> str | None:
    return text(sys.executable, package_parent(), console_script(), str(code_path(where)))


def code_current(env: Mapping[str, str] | None = None) -> bool:
    """Whether the launcher's precompiled file is this install's as it is now (``doctor``)."""
    from statusline.commands import precompiled

    return precompiled.load(str(code_path(path(env)))) is not None


def works(launcher: Path, env: Mapping[str, str] | None = None) -> bool:
    """Whether the launcher runs this very package without ``site`` (asked to say where it is)."""
    probe = [str(launcher), "--version"]
    try:
        proc = subprocess.run(probe, capture_output=True, timeout=20, env=dict(os.environ if env is None else env),
                              stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return False
    from statusline.version import VERSION

    return proc.returncode == 0 and proc.stdout.decode(errors="replace").strip() == f"{NAME} {VERSION}"


def current(env: Mapping[str, str] | None = None) -> str | None:
    """The launcher's path when it exists and is this install's, else None (writes nothing)."""
    where = path(env)
    want = _wanted(where)
    try:
        return str(where) if want is not None and where.read_text() == want and os.access(where, os.X_OK) else None
    except (OSError, UnicodeDecodeError):
        return None


def ensure(env: Mapping[str, str] | None = None) -> str | None:
    """Write (only when its text changed) and try the launcher; its path, or None to use the
    console script. Never raises for a file problem: the console script always works."""
    where = path(env)
    want = _wanted(where)
    if want is None:
        return None
    try:
        from statusline.cache.store import atomic_write

        if not (where.is_file() and where.read_text() == want):
            where.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(where, want.encode())
        if where.stat().st_mode & 0o777 != 0o755:
            where.chmod(0o755)
    except (OSError, UnicodeDecodeError):
        return None
    write_code(where)
    return str(where) if works(where, env) else None


def write_code(where: Path) -> None:
    """Write the launcher's precompiled file when it is not this install's as it is now (or
    remove it when it cannot be built); a problem here only costs speed, never the line."""
    from statusline.cache.store import atomic_write
    from statusline.commands import precompiled

    code = code_path(where)
    if precompiled.load(str(code)) is not None:
        return
    data = precompiled.build(package_parent())
    try:
        if data is None:
            code.unlink(missing_ok=True)
        else:
            atomic_write(code, data)  # 0600, ours: what the launcher asks of it
    except OSError:  # CacheError is one
        pass


def command(env: Mapping[str, str] | None = None, *, write: bool = True) -> str:
    """What a target should run: the launcher when it applies (written if ``write``), else the
    console script, both by absolute path."""
    found = ensure(env) if write else current(env)
    return found or console_script()
