"""One cache, any supported Python: the line run by one interpreter reads what the fetcher
of another wrote (a pipx install on 3.13 and a prompt's venv on 3.10 share the cache).

The fetcher runs under this interpreter (``sys.executable``); the line's hot path, which is
stdlib-only, then runs from this checkout under every other supported Python found on the
machine (pyenv's, else ``python3.X`` on PATH). Versions not installed are skipped, by name.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SUPPORTED = ("3.10", "3.11", "3.12", "3.13")


def pyenv_roots() -> list[Path]:
    """Where pyenv keeps its versions: $PYENV_ROOT, `pyenv root`, the real user's ~/.pyenv
    (HOME is a temporary folder in these tests)."""
    roots = [os.environ.get("PYENV_ROOT", "")]
    if shutil.which("pyenv"):
        roots.append(subprocess.run(["pyenv", "root"], capture_output=True, text=True).stdout.strip())
    roots.append(os.path.join(pwd.getpwuid(os.getuid()).pw_dir, ".pyenv"))
    return [Path(r) for r in roots if r]


def find_python(minor: str) -> str | None:
    """The newest pyenv 3.X.*, else python3.X on PATH (what .ci/run looks for too)."""
    for root in pyenv_roots():
        found = sorted((p for p in (root / "versions").glob(f"{minor}.*") if p.name.split(".")[2].isdigit()),
                       key=lambda p: int(p.name.split(".")[2]))
        if found and (found[-1] / "bin" / "python").exists():
            return str(found[-1] / "bin" / "python")
    return shutil.which(f"python{minor}")


OTHERS = [m for m in SUPPORTED if m != "%d.%d" % sys.version_info[:2]]


@pytest.mark.parametrize("minor", OTHERS)
def test_line_under_another_python_reads_this_pythons_cache(minor: str, warm) -> None:
    python = find_python(minor)
    if python is None:
        pytest.skip(f"Python {minor} is not installed here (pyenv or python{minor} on PATH)")
    probe = ("import sys; sys.path.insert(0, sys.argv[1]); from statusline.commands.line import main;"
             " print(sys.version_info[:2], file=sys.stderr);"
             " sys.exit(main(['--no-refresh', '--format', 'plain', '--glyphs', 'ascii']))")
    r = subprocess.run([python, "-I", "-c", probe, str(REPO)], env=dict(os.environ), capture_output=True, text=True,
                       timeout=30)
    print(f"{minor}: {r.stdout.strip()}")
    assert r.returncode == 0, r.stderr
    assert f"({minor.replace('.', ', ')})" in r.stderr  # it really ran under that version
    assert "5h 78%" in r.stdout and "7d 41%" in r.stdout, r.stdout + r.stderr
