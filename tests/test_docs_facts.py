"""What the README and docs/ state that the code can check: the README's test command is the one
``.ci/run`` runs, every config.toml key, every line item and every environment variable the
package reads is documented, the fast launch is as long as the page says, and the picture script
is valid bash."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
DOCS = ROOT / "docs"


def test_the_readmes_test_command_is_what_ci_runs():
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    marker = next(i for i, line in enumerate(ci) if "The README's test command, verbatim:" in line)
    command = ci[marker + 1].split(" || status=")[0].strip()
    assert command.startswith("python3 -m venv .venv && ") and command.endswith("pytest -q -n 4"), command
    assert f"\n    {command}\n" in README, "the README's test command differs from .ci/run's"
    assert f"\n    {command}\n" in (DOCS / "development.md").read_text()


def test_the_readme_is_short():
    assert len(README.splitlines()) <= 300


def test_every_config_key_is_documented():
    from statusline.cache import config

    page = (DOCS / "configuration.md").read_text()
    for key in config.KEYS:
        section, _, name = key.rpartition(".")
        assert re.search(rf"^#?\s*{re.escape(name)} = ", page, re.M), f"{key} is not in configuration.md's example"
        if section:
            assert f"[{section}]" in page, section
    for name, env in config.ENV.items():
        assert env in page, f"{env} ({name}) is not named in configuration.md"


def test_every_item_is_documented():
    from statusline.core import items

    page = (DOCS / "configuration.md").read_text()
    rows = set(re.findall(r"^\| `([a-z_]+)` \|", page, re.M))
    assert set(items.NAMES) <= rows, sorted(set(items.NAMES) - rows)


def test_every_environment_variable_is_documented():
    names = set()
    for path in (ROOT / "statusline").rglob("*.py"):
        names |= set(re.findall(r"\bCLAUDE_USAGE_[A-Z_]+\b", path.read_text()))
    page = (DOCS / "files.md").read_text()
    missing = sorted(n for n in names if f"`{n}`" not in page)
    assert not missing, f"not in docs/files.md: {missing}"


def test_the_fast_launch_is_as_long_as_the_page_says():
    from statusline.commands import launcher

    text = launcher.text("/usr/bin/python3", "/site", "/script", "/code", "/fallback")
    assert text is not None
    page = (ROOT / "integrations" / "claude-code" / "README.md").read_text()
    said = re.search(r"a short Python script \((\d+) lines", page)
    assert said, "integrations/claude-code/README.md no longer says how long the fast launch is"
    assert int(said.group(1)) == len(text.splitlines())


@pytest.mark.skipif(not shutil.which("bash"), reason="bash not installed")
def test_the_picture_script_is_valid_bash():
    r = subprocess.run(["bash", "-n", str(DOCS / "screenshots.sh")], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
