"""setup against the user's files (issue 17, #12): no Infinity/NaN written into settings.json,
a symlinked starship.toml stays a link, a read-only settings.json is refused with a sentence."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from helpers import cli


@pytest.mark.parametrize("value", ["Infinity", "NaN", "-Infinity", "1e999"])
def test_setup_never_writes_a_number_node_cannot_read(home: Path, value: str) -> None:
    settings = home / ".claude" / "settings.json"
    raw = '{"cleanupPeriodDays": %s, "theme": "dark"}\n' % value
    settings.write_text(raw)
    r = cli("setup", "claude-code", "--install")
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    assert "nothing was changed" in r.stderr
    assert settings.read_text() == raw  # untouched, never "Infinity" rewritten by us


def test_setup_keeps_valid_settings_strict_json(home: Path) -> None:
    settings = home / ".claude" / "settings.json"
    settings.write_text('{"n": 1.5e300}\n')
    assert cli("setup", "claude-code", "--install").returncode == 0
    json.loads(settings.read_text(), parse_constant=lambda c: pytest.fail(c))


def test_a_read_only_settings_file_is_refused_clearly(home: Path) -> None:
    settings = home / ".claude" / "settings.json"
    settings.write_text('{"theme": "dark"}\n')
    settings.chmod(0o444)
    r = cli("setup", "claude-code", "--install")
    assert r.returncode == 1 and "read-only" in r.stderr and "Traceback" not in r.stderr, r.stderr
    assert settings.read_text() == '{"theme": "dark"}\n' and settings.stat().st_mode & 0o777 == 0o444


def test_a_symlinked_starship_toml_stays_a_link(home: Path, tmp_path: Path) -> None:
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir()
    real = dotfiles / "starship.toml"
    real.write_text("add_newline = false\n")
    real.chmod(0o640)
    config = home / ".config" / "starship.toml"
    config.parent.mkdir(parents=True)
    os.symlink(real, config)
    r = cli("setup", "starship", "--install")
    assert r.returncode == 0, r.stderr
    assert config.is_symlink() and os.readlink(config) == str(real)
    assert "[custom.claude_usage]" in real.read_text() and real.read_text().startswith("add_newline = false\n")
    assert real.stat().st_mode & 0o777 == 0o640


def test_a_write_by_claude_code_between_read_and_rename_is_kept(home: Path, monkeypatch, capsys) -> None:
    """#12: Claude Code writes settings.json after setup has read it and before setup renames
    its new file over it (driven in-process: the write happens inside setup's second read, its
    re-read before the rename). Claude Code's write is kept; setup changes nothing and says so."""
    from statusline.cache import paths, safefiles
    from statusline.commands import claude_settings

    settings = home / ".claude" / "settings.json"
    settings.write_text('{"theme": "dark"}\n')
    theirs = '{"theme": "dark", "model": "opus"}\n'
    reads: list[str] = []
    real_read = safefiles.read_regular

    def read_regular(path: str, *args, **kwargs) -> bytes:
        if path != str(settings):  # the fast launch, read before it is rewritten
            return real_read(path, *args, **kwargs)
        reads.append(path)
        if len(reads) == 2:  # setup's re-read: Claude Code has just written
            settings.write_text(theirs)
        return real_read(path, *args, **kwargs)

    monkeypatch.setattr(claude_settings.safefiles, "read_regular", read_regular)
    assert claude_settings.run(paths.resolve(), do_install=True) == 1
    assert reads == [str(settings), str(settings)]  # read, then re-read before the rename
    assert settings.read_text() == theirs  # Claude Code's write kept, nothing of ours over it
    assert "changed while setup ran" in capsys.readouterr().err
    assert not list(settings.parent.glob("settings.json.bak-*"))  # nothing written at all
    monkeypatch.setattr(claude_settings.safefiles, "read_regular", real_read)
    assert claude_settings.run(paths.resolve(), do_install=True) == 0  # run again: both kept
    doc = json.loads(settings.read_text())
    assert doc["model"] == "opus" and "--claude-code" in doc["statusLine"]["command"]


def test_a_starship_toml_that_is_a_fifo_is_refused_not_waited_on(home: Path) -> None:
    """setup reads the user's file through the one opener: a FIFO there (nobody writing) made
    it wait forever; now it says why and changes nothing."""
    config = home / ".config" / "starship.toml"
    config.parent.mkdir(parents=True)
    os.mkfifo(config)
    r = cli("setup", "starship", "--install", timeout=20)
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    assert "not a regular file" in r.stderr and "nothing was changed" in r.stderr, r.stderr
    assert config.is_fifo()
