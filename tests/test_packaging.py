"""The wheel users install carries what `claude-usage setup` prints, and nothing secret."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_ships_every_integration_file(tmp_path):
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    wheel = next(tmp_path.glob("claude_usage_line-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        "statusline/integrations/" + str(p.relative_to(ROOT / "integrations"))
        for p in (ROOT / "integrations").rglob("*") if p.is_file()
    }
    assert expected and expected <= names, sorted(expected - names)
    assert "statusline/__init__.py" in names and "statusline/commands/line.py" in names
    modules = {"statusline/" + str(p.relative_to(ROOT / "statusline")) for p in (ROOT / "statusline").rglob("*.py")}
    assert modules <= names, f"modules missing from the wheel: {sorted(modules - names)}"
    for shipped in ("fish/claude-usage.fish", "completions/claude-usage.bash", "completions/_claude-usage",
                    "completions/claude-usage.fish"):
        assert "statusline/integrations/" + shipped in names, shipped
    assert not any(n.startswith("tests/") for n in names)
    meta = next(n for n in names if n.endswith("METADATA"))
    text = zipfile.ZipFile(wheel).read(meta).decode()
    for dep in ("requests", "platformdirs", "filelock", "rich"):
        assert f"Requires-Dist: {dep}" in text
    assert "License-Expression: MIT" in text


def test_package_init_is_empty_of_imports():
    assert (ROOT / "statusline" / "__init__.py").read_text().strip() == ""


def test_setup_prints_the_repository_files():
    from helpers import cli

    for target, rel in (("starship", "starship/starship.toml"), ("zsh", "zsh/claude-usage.plugin.zsh"),
                        ("bash", "bash/claude-usage.bash"), ("fish", "fish/claude-usage.fish"),
                        ("waybar", "waybar/config.jsonc")):
        r = cli("setup", target)
        assert r.returncode == 0 and r.stdout == (ROOT / "integrations" / rel).read_text(), target
