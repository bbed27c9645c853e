"""Static checks, as configured in pyproject.toml: ruff everywhere, mypy on the package."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    found = BIN / name if (BIN / name).exists() else shutil.which(name)
    if not found:
        pytest.skip(f"{name} not installed (pip install -e '.[test]')")
    return str(found)


def test_ruff():
    r = subprocess.run([tool("ruff"), "check", "statusline", "tests", "bench"], cwd=ROOT,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_mypy():
    r = subprocess.run([tool("mypy"), "statusline"], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_import_contracts():
    """The stage layers and the hot path's imports, as pyproject.toml's import-linter contracts say."""
    r = subprocess.run([tool("lint-imports")], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "0 broken" in r.stdout


def test_no_import_circle():
    """No two modules of the package import each other, lazily or not (grimp sees function-level imports)."""
    grimp = pytest.importorskip("grimp")
    graph = grimp.build_graph("statusline")
    modules = sorted(m for m in graph.modules if m.startswith("statusline"))
    circles = [(a, b) for a in modules for b in graph.find_modules_directly_imported_by(a)
               if b.startswith("statusline") and graph.chain_exists(importer=b, imported=a)]
    assert circles == []
