"""``claude-usage``'s own surface: version, help, options after the command, "did you mean", and
notes for options that do nothing where they were given (issue 20, item 12)."""

from __future__ import annotations

import json
import os

from helpers import cli, line


def test_dash_v_is_the_version() -> None:
    r = cli("-V")
    assert r.returncode == 0 and r.stdout.startswith("claude-usage ")
    assert line("-V").stdout.startswith("claude-usage-line ")


def test_help_says_q_and_the_command_is_optional() -> None:
    out = cli("--help").stdout
    assert "q or Ctrl+C" in out and "[COMMAND" in out and "prints the panel once" in out


def test_every_command_has_its_own_help() -> None:
    for name in ("refresh", "doctor", "config", "configure", "setup", "history", "check"):
        out = cli(name, "--help").stdout
        body = out.split("\n\n", 1)[1] if "\n\n" in out else ""
        first = body.strip().splitlines()[0] if body.strip() else ""
        assert first and not first.startswith("options"), (name, out)
        assert out.startswith(f"usage: claude-usage {name}"), out


def test_common_options_work_after_the_command() -> None:
    r = cli("refresh", "--mode", "code")
    assert "unrecognized" not in r.stderr and "usage:" not in r.stderr, r.stderr
    r = cli("doctor", "--mode", "console")
    assert "mode: console (forced)" in r.stdout
    r = cli("--mode", "console", "doctor")
    assert "mode: console (forced)" in r.stdout  # before the command still counts, and is not undone


def test_unknown_options_get_a_did_you_mean() -> None:
    r = cli("--wacth")
    assert r.returncode == 2 and "unknown option --wacth (did you mean --watch?)" in r.stderr
    r = line("--fromat", "tmux")
    assert "unknown option --fromat (did you mean --format?)" in r.stderr
    assert "'tmux'" not in r.stderr  # the value went with the mistyped option


def test_options_that_do_nothing_are_noted() -> None:
    assert "--json does nothing for refresh" in cli("--json", "refresh").stderr
    assert "--interval only applies to --watch" in cli("--interval", "5").stderr


def test_interval_zero_or_negative_is_noted_and_raised() -> None:
    from statusline.commands import cli as cli_mod

    args = cli_mod.build_parser().parse_args(["--watch", "--interval", "0"])
    assert cli_mod.warnings(args) == ["--interval 0 is too short; using 0.5 seconds"]
    args = cli_mod.build_parser().parse_args(["--watch", "--interval=-3"])
    assert "--interval -3 is too short" in cli_mod.warnings(args)[0]


def test_line_notes_reach_doctor_when_not_typed(cache_dir) -> None:
    r = line("--chain", "x", "--show", "model", "--no-refresh")
    assert r.returncode == 0
    note = (cache_dir / "line-usage-error").read_text()
    assert "--chain does nothing without --claude-code" in note and "--show model needs --claude-code" in note
    assert "claude-usage-line was last called with a mistake" in cli("doctor").stdout
    assert os.path.exists(cache_dir / "line-usage-error")


def test_a_look_and_a_mode_that_do_nothing_are_noted(warm):
    """#27.7: --theme without a style, --watch with --json, and a style in a format that draws
    none did nothing without a word; and the line said its notes only at a terminal."""
    from helpers import line

    r = line("--format", "ansi", "--theme", "nord", "--no-refresh")
    assert "5h 78%" in r.stdout and "note: --theme needs --style" in r.stderr, r.stderr
    r = line("--format", "plain", "--style", "chips", "--no-refresh")
    assert r.stdout.startswith("5h 78%") and "--style chips does nothing for --format plain" in r.stderr
    r = line("--format", "ansi", "--theme", "nord", "--style", "powerline", "--no-refresh")
    assert r.stderr == "", r.stderr
    r = cli("--watch", "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["schema"] and "--watch is ignored" in r.stderr, r.stderr
