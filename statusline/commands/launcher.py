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

Where the target runs a shell command (Claude Code, Waybar), that command starts the same
launcher already compiled, ``PYTHON -IS claude-usage-line.pyc``: Python runs a ``.pyc`` named on
its command line without compiling anything, and compiling the launcher's text is the largest
part of its own cost (0.04 of ``python -c pass``, ``docs/performance.md``). A ``#!`` line cannot
start a ``.pyc`` (Python takes a file that begins with ``#!`` for source), so the tmux and shell
plugins, which name the launcher's path, run its text. ``compiled`` writes it; it holds the
launcher's very text, compiled, and what the text's hash is.

When the interpreter itself is gone (the venv removed, then the tool installed again another
way), the kernel cannot start the launcher at all: none of its code runs. So every command
``setup`` writes carries a fallback, ``LAUNCH ARGS || FALLBACK ARGS`` (``invocation``): the
fallback, a small ``/bin/sh`` script beside the launcher (``FALLBACK_TEXT``), runs a
``claude-usage-line`` that still starts, else prints a line saying what to do. The ``||``
costs one fork of the shell the target runs anyway, nothing measurable (``bench/``).

Its folders follow the one rule for "ours" (``safefiles.trust_problem``): ``$XDG_DATA_HOME/
claude-usage`` and its ``bin`` must be ours and writable by no one else, else nothing is
written there and the console script is named instead (``refusal`` says why; doctor too).
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from statusline.cache import fastpaths, safefiles

NAME = "claude-usage-line"
FALLBACK = NAME + "-fallback"
COMPILED = NAME + ".pyc"
ELSEWHERE = "set XDG_DATA_HOME to a folder of yours"
REINSTALL = "claude: reinstall claude-usage-line"
SHEBANG_LIMIT = 127  # bytes of a #! line the kernel reads (Linux before 5.1, and macOS: 512)

TEMPLATE = '''#!{python} -IS
# claude-usage-line's fast launch, written by `claude-usage setup` (rewritten by each run of it).
# Without `site` and the garbage collector, its hot path from the precompiled file beside it
# (statusline/commands/precompiled.py) while that is ours and current, else from the folder.
import gc
import sys
gc.disable()
{own_file}
try:
    opened = own_file({code!r}, {head!r}, {limit!r})
    served = opened is not None and type(own_file)(opened[0][0], {{}})(opened, sys.argv, {site!r}, True) is not None
except Exception:
    served = False
try:
    if not served:
        sys.path.insert(0, {site!r})
    from statusline.commands.line import run
except ImportError:
    exec({gone!r})
if not served:
    sys.path.pop(0)
sys.path.append({site!r})
run()
'''
# Run only when the package is gone (compiled only then: the launcher's text is compiled at every
# start): the console script, else the fallback, else a line that says what to do.
GONE = '''import os
for script in ({script!r}, {fallback!r}):
    try:
        os.execv(script, [script] + sys.argv[1:])
    except (OSError, ValueError):
        pass
sys.stdout.write({reinstall!r} + "\\n")
sys.exit(0)
'''

FALLBACK_TEXT = '''#!/bin/sh
# claude-usage-line's fallback, written by `claude-usage setup` beside the fast launch. The
# commands setup writes run it when the fast launch cannot start (its Python is gone: a venv
# removed, an interpreter upgraded away), as "LAUNCH ARGS || FALLBACK ARGS". It runs a
# claude-usage-line that still starts, else prints a line that says what to do: no bar goes
# blank. `claude-usage doctor` says why the fast launch failed and how to write it anew.
launch=${0%-fallback}
for c in "$(command -v claude-usage-line 2>/dev/null)" "$HOME/.local/bin/claude-usage-line" \\
    /opt/homebrew/bin/claude-usage-line /usr/local/bin/claude-usage-line; do
    [ -n "$c" ] && [ -f "$c" ] && [ -x "$c" ] && [ "$c" != "$launch" ] || continue
    "$c" "$@"
    status=$?
    # 126 and 127: it could not start either (its own interpreter is gone): try the next.
    [ "$status" -eq 126 ] || [ "$status" -eq 127 ] || exit 0
done
case " $* " in
    *" --format json "* | *" --format=json "* | *" --format waybar "* | *" --format=waybar "*)
        printf '{"text": "%s", "tooltip": "%s", "class": ["error"]}\\n' "REINSTALL" \\
            "the fast launch cannot start, and no claude-usage-line was found"
        ;;
    *) echo "REINSTALL" ;;
esac
exit 0
'''.replace("REINSTALL", REINSTALL)


def path(env: Mapping[str, str] | None = None) -> Path:
    """Where the launcher lives (``$XDG_DATA_HOME`` when absolute, else ``~/.local/share``:
    ``fastpaths.xdg_home``); the tmux plugin and the shell plugins look there too."""
    return Path(fastpaths.launch_dir(os.environ if env is None else env)) / NAME


def fallback_path(launcher: Path) -> Path:
    """The fallback (``FALLBACK_TEXT``) beside the launcher."""
    return launcher.with_name(FALLBACK)


def refusal(env: Mapping[str, str] | None = None) -> str | None:
    """Why the launcher's folders may not hold it, or None: ``$XDG_DATA_HOME/claude-usage``
    and its ``bin`` must be ours and writable by no one else (``safefiles.trust_problem``),
    or anyone who can write there could swap what every prompt runs."""
    bin_dir = path(env).parent
    for folder in (bin_dir.parent, bin_dir):
        if not folder.parent.is_dir():
            return None  # created by us, 0700, when the launcher is written
        problem = safefiles.trust_problem(str(folder), "folder", ELSEWHERE)
        if problem:
            return problem
    return None


def package_parent() -> str:
    """The folder holding this install's ``statusline`` package (``precompiled.package_parent``)."""
    from statusline.commands import precompiled

    return str(precompiled.package_parent())


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


def compiled_path(launcher: Path) -> Path:
    """The launcher compiled (``compiled``), beside it: what shell commands run."""
    return launcher.with_name(COMPILED)


def compiled(launcher_text: str, where: Path) -> bytes:
    """The ``.pyc`` of the launcher's text at ``where``: Python's magic number, hash-based flags
    and the text's hash (``importlib.util.source_hash``: what ``compiled_current`` compares),
    then the code, as ``py_compile`` writes it. Docstrings are left out (``optimize=2``)."""
    import importlib.util
    import marshal

    source = launcher_text.encode()
    code = compile(source, str(where), "exec", dont_inherit=True, optimize=2)
    return (importlib.util.MAGIC_NUMBER + (0b11).to_bytes(4, "little") + importlib.util.source_hash(source)
            + marshal.dumps(code))


def compiled_current(where: Path, launcher_text: str) -> bool:
    """Whether the ``.pyc`` beside ``where`` is ``launcher_text`` compiled by this Python: its head
    as ``compiled`` writes it and its code equal to the text's (read through the one opener)."""
    import marshal

    want = compiled(launcher_text, where)
    try:
        got = safefiles.read_own(str(compiled_path(where)), 1 << 20)
        return got[:16] == want[:16] and marshal.loads(got[16:]) == marshal.loads(want[16:])
    except (OSError, EOFError, ValueError, TypeError):
        return False


def code_path(launcher: Path) -> Path:
    """The precompiled hot path (see ``precompiled``), beside the launcher that reads it."""
    from statusline.commands import precompiled

    return launcher.with_name(precompiled.FILE)


def text(python: str, site: str, script: str, code: str = "", fallback: str = "") -> str | None:
    """The launcher's text, or None when a ``#!`` line cannot carry this interpreter. ``code``
    names its precompiled file (none: every module from its folder), ``fallback`` the script
    that runs when the package is gone and so is ``script``."""
    shebang = "#!%s -IS" % python
    if (os.name != "posix" or not python or not os.path.isabs(python) or any(c.isspace() for c in python)
            or len(shebang.encode()) > SHEBANG_LIMIT):
        return None
    from statusline.commands import precompiled

    gone = GONE.format(script=script, fallback=fallback, reinstall=REINSTALL)
    return TEMPLATE.format(python=python, site=site, code=code, gone=gone, own_file=precompiled.own_file_source(),
                           head=precompiled.HEAD, limit=precompiled.LIMIT)


def _wanted(where: Path) -> str | None:
    return text(sys.executable, package_parent(), console_script(), str(code_path(where)),
                str(fallback_path(where)))


def interpreter(launcher_text: str) -> str | None:
    """The interpreter a launcher's ``#!`` line names, when it is one of ours; else None."""
    first = launcher_text.split("\n", 1)[0]
    if not first.startswith("#!") or not first.endswith(" -IS") or "fast launch" not in launcher_text[:400]:
        return None
    return first[2:-4] or None


def read(where: Path) -> str | None:
    """The launcher's text when it is a regular file of ours (through the one opener), else None."""
    try:
        return safefiles.read_own(str(where), 64 * 1024).decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def code_current(env: Mapping[str, str] | None = None) -> bool:
    """Whether the launcher's precompiled file is this install's as it is now (``doctor``)."""
    from statusline.commands import precompiled

    return precompiled.load(str(code_path(path(env))), package_parent()) is not None


def works(launcher: Path, env: Mapping[str, str] | None = None) -> bool:
    """Whether the launcher runs this very package without ``site`` (asked to say where it is),
    both as the plugins start it (its ``#!`` line) and as shell commands do (``compiled``)."""
    from statusline.version import VERSION

    for probe in ([str(launcher), "--version"], [sys.executable, "-IS", str(compiled_path(launcher)), "--version"]):
        try:
            proc = subprocess.run(probe, capture_output=True, timeout=20, stdin=subprocess.DEVNULL,
                                  env=dict(os.environ if env is None else env))
        except (OSError, subprocess.SubprocessError):
            return False
        if proc.returncode != 0 or proc.stdout.decode(errors="replace").strip() != f"{NAME} {VERSION}":
            return False
    return True


def current(env: Mapping[str, str] | None = None) -> str | None:
    """The launcher's path when it exists, is ours in folders of ours, and is this install's,
    else None (writes nothing)."""
    where = path(env)
    want = _wanted(where)
    if want is None or refusal(env) is not None:
        return None
    ok = read(where) == want and read(fallback_path(where)) == FALLBACK_TEXT and os.access(where, os.X_OK) \
        and compiled_current(where, want)
    return str(where) if ok else None


def planned(env: Mapping[str, str] | None = None) -> str | None:
    """Where ``ensure`` would write the launcher, or None when it would not (writes nothing):
    what a preview names, so that it shows what ``--install`` then writes."""
    where = path(env)
    return str(where) if _wanted(where) is not None and refusal(env) is None else None


@dataclass(frozen=True)
class Launch:
    """What ``install`` left: the launcher's path (None: use the console script) and the files
    it wrote anew this time (none when all three were this install's already)."""
    path: str | None
    rewritten: tuple[str, ...] = ()


def install(env: Mapping[str, str] | None = None) -> Launch:
    """Write (only when its text changed) and try the launcher, its fallback and its compiled
    form, and its precompiled file. ``Launch.path`` is None to use the console script
    (``refusal`` says why, when it is the folders). Never raises for a file problem: the console
    script always works."""
    where = path(env)
    want = _wanted(where)
    if want is None or refusal(env) is not None:
        return Launch(None)
    rewritten: list[str] = []
    try:
        safefiles.makedirs_private(str(where.parent))
        if refusal(env) is not None:
            return Launch(None)
        for target, body in ((fallback_path(where), FALLBACK_TEXT), (where, want)):
            if read(target) != body:
                safefiles.write_atomic(str(target), body.encode())
                rewritten.append(str(target))
            if target.stat().st_mode & 0o777 != 0o755:
                target.chmod(0o755)
        if not compiled_current(where, want):
            safefiles.write_atomic(str(compiled_path(where)), compiled(want, where))  # 0600: Python only reads it
            rewritten.append(str(compiled_path(where)))
    except (OSError, UnicodeDecodeError, ValueError):
        return Launch(None, tuple(rewritten))
    if write_code(where):
        rewritten.append(str(code_path(where)))
    return Launch(str(where) if works(where, env) else None, tuple(rewritten))


def ensure(env: Mapping[str, str] | None = None) -> str | None:
    """``install``'s launcher path, or None to use the console script."""
    return install(env).path


def write_code(where: Path) -> bool:
    """Write the launcher's precompiled file when it is not this install's as it is now (or
    remove it when it cannot be built); a problem here only costs speed, never the line. True
    when the file was written anew."""
    from statusline.cache.store import atomic_write
    from statusline.commands import precompiled

    code = code_path(where)
    if precompiled.load(str(code), package_parent()) is not None:
        return False
    data = precompiled.build(package_parent())
    try:
        if data is None:
            code.unlink(missing_ok=True)
            return False
        atomic_write(code, data)  # 0600, ours: what the launcher asks of it
        return True
    except OSError:  # CacheError is one
        return False


def remove(env: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """Take the fast launch away (the launcher, its fallback, its compiled form, its precompiled
    file; then its ``bin`` folder when that is empty): what ``setup`` does once no target it wrote names it.
    Only regular files are removed, never a link or a folder in their place. The paths removed."""
    where = path(env)
    gone: list[str] = []
    for target in (where, fallback_path(where), compiled_path(where), code_path(where)):
        try:
            if safefiles.is_regular(os.lstat(target)):
                target.unlink()
                gone.append(str(target))
        except OSError:
            pass
    try:
        where.parent.rmdir()
    except OSError:
        pass
    return tuple(gone)


def command(env: Mapping[str, str] | None = None, *, write: bool = True) -> str:
    """What a target that runs no shell (Starship) should run: the launcher when it applies
    (written if ``write``), else the console script, both by absolute path."""
    found = ensure(env) if write else planned(env)
    return found or console_script()


def invocation(args: Sequence[str], env: Mapping[str, str] | None = None, *, write: bool = True) -> str:
    """The ``/bin/sh`` command line a target (Claude Code's statusLine, tmux's ``#()``, Waybar's
    ``exec``) runs the line with: ``LAUNCH ARGS || FALLBACK ARGS`` when the fast launch applies
    (written if ``write``), so a launcher whose Python is gone still prints a line; else the
    console script by absolute path."""
    return command_line(ensure(env) if write else planned(env), args)


def command_line(found: str | None, args: Sequence[str]) -> str:
    """``invocation``'s text for a launcher at ``found`` (None: the console script): this
    install's Python runs the launcher compiled (``compiled``), else its fallback runs."""
    words = "".join(" " + shlex.quote(a) for a in args)
    if found:
        launch = f"{shlex.quote(sys.executable)} -IS {shlex.quote(str(compiled_path(Path(found))))}"
        return f"{launch}{words} || {shlex.quote(str(fallback_path(Path(found))))}{words}"
    return f"{shlex.quote(console_script())}{words}"


def cli_script() -> str:
    """The ``claude-usage`` command by absolute path when it sits beside the console script
    (the same install), else its bare name."""
    line = console_script()
    beside = Path(line).with_name("claude-usage")
    if os.path.isabs(line) and beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("claude-usage") or "claude-usage"
