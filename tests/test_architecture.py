"""docs/architecture.md stays true: every folder and module it names exists, and every folder of
the package is on it."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "architecture.md").read_text()
STAGES = ("core", "sources", "cache", "fetch", "render", "commands")


def _code_spans() -> list[str]:
    return re.findall(r"`([^`\n]+)`", DOC)


def test_every_path_it_names_exists():
    missing = []
    for span in _code_spans():
        token = span.split("::")[0].split()[0]
        if re.fullmatch(r"(statusline|tests|integrations|bench|docs)(/[\w.-]+)*/?", token):
            if not (ROOT / token).exists():
                missing.append(token)
    assert missing == [], missing


def test_every_module_it_names_exists():
    """``cache/safefiles``, ``core/readings.merge``: a stage folder, then a module (then a name in it)."""
    missing = []
    for span in _code_spans():
        m = re.fullmatch(r"(%s)/(\w+)(?:\.py|\.(\w+))?" % "|".join(STAGES), span)
        if not m:
            continue
        path = ROOT / "statusline" / m.group(1) / (m.group(2) + ".py")
        if not path.is_file():
            missing.append(span)
        elif m.group(3) and not re.search(r"^(def|class) %s\b|^%s\s*=" % (m.group(3), m.group(3)),
                                          path.read_text(), re.M):
            missing.append(span)
    assert missing == [], missing


def test_every_folder_of_the_package_is_on_it():
    folders = sorted(p.name for p in (ROOT / "statusline").iterdir()
                     if p.is_dir() and (p / "__init__.py").exists())
    assert set(folders) == set(STAGES), folders
    for name in folders:
        assert "`statusline/%s/`" % name in DOC, name


def test_only_a_few_modules_at_the_top():
    top = sorted(p.name for p in (ROOT / "statusline").glob("*.py"))
    assert len(top) <= 12, top
