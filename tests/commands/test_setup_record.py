"""The record of what setup wrote (``statusline.commands.setup_record``): it keeps every byte,
it is ours (0600 in our data folder), and one that cannot be read stops setup before it writes."""

from __future__ import annotations

import os
from pathlib import Path

from helpers import cli

from statusline.commands import setup_record
from statusline.commands.setup_record import Record, SettingsEdit, Target, Written


def test_the_record_keeps_every_byte_and_field() -> None:
    odd = b"\xff\xfe not UTF-8 \x00 and \xe2\x80\xae"  # any bytes: a path, a user's odd file
    record = Record({
        "starship": Target((Written("/real/starship.toml", "/home/u/.config/starship.toml", True, 0o640, False, odd,
                                    setup_record.digest(odd), None),)),
        "claude-code": Target(settings=SettingsEdit("/s.json", None, False, '{\n    "a": 1e5\n  }', True,
                                                    {"type": "command"}, "ab", "/s.json.bak-1", "cd")),
        "completions/zsh": Target(launch=False),
    }, ("/home/u/.config",))
    again = setup_record.from_json(setup_record.to_json(record))
    assert again == record and again.targets["starship"].files[0].ours == odd
    assert again.users_of_launch() == ["starship", "claude-code"]


def test_a_record_that_cannot_be_read_stops_setup_before_it_writes(home: Path) -> None:
    where = home / ".local" / "share" / "claude-usage" / "setup-record.json"
    where.parent.mkdir(parents=True, mode=0o700)
    where.write_text('{"version": 1, "targets": {"tmux": {"files": "nonsense"}}}')
    os.chmod(where, 0o600)
    for flag in ("--install", "--uninstall"):
        r = cli("setup", "tmux", flag)
        assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
        assert "cannot be read" in r.stderr and str(where) in r.stderr
    assert not (home / ".config").exists() and not (where.parent / "bin").exists()
