"""``claude-usage setup TARGET --install``: written where each program looks, folders created.

Every test starts from an empty HOME (conftest), so no target folder exists yet: the README's
old ``setup … >> ~/.config/…`` failed exactly there. Each install is then checked against the
shipped file, and the tmux plugin, which tmux runs, is executable.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest
from helpers import cli

REPO = Path(__file__).resolve().parents[2]
INTEGRATIONS = REPO / "integrations"


def installed(rel: str, home: Path) -> str:
    """The shipped file as ``--install`` writes it: Starship's module names the fast launch
    (``launcher``) by its absolute path; the other plugins find it by themselves."""
    text = (INTEGRATIONS / rel).read_text()
    fast = home / ".local" / "share" / "claude-usage" / "bin" / "claude-usage-line"
    return text.replace('shell = ["claude-usage-line",', f'shell = ["{fast}",') if rel.startswith("starship") else text


@pytest.mark.parametrize("target, rel, where", [
    ("tmux", "tmux/claude-usage.tmux", ".config/tmux/claude-usage.tmux"),
    ("zsh", "zsh/claude-usage.plugin.zsh", ".config/claude-usage/claude-usage.plugin.zsh"),
    ("bash", "bash/claude-usage.bash", ".config/claude-usage/claude-usage.bash"),
    ("fish", "fish/claude-usage.fish", ".config/fish/conf.d/claude-usage.fish"),
    ("starship", "starship/starship.toml", ".config/starship.toml"),
])
def test_install_creates_folders_and_writes_the_file(target: str, rel: str, where: str, home: Path) -> None:
    assert not (home / ".config").exists()
    r = cli("setup", target, "--install")
    assert r.returncode == 0, r.stderr
    path = home / where
    assert path.read_text() == installed(rel, home)
    assert f"wrote {path}" in r.stdout
    if target == "tmux":
        assert os.access(path, os.X_OK) and "run-shell " + str(path) in r.stdout
    if target in ("zsh", "bash"):
        assert f"source {path}" in r.stdout
    assert not stat.S_IMODE(path.stat().st_mode) & 0o022  # nobody else may rewrite what the shell runs
    again = cli("setup", target, "--install")  # twice is fine, and changes nothing
    assert again.returncode == 0 and path.read_text() == installed(rel, home)


def test_install_follows_xdg_config_home(home: Path, tmp_path: Path) -> None:
    xdg = tmp_path / "xdg"
    r = cli("setup", "fish", "--install", env=dict(os.environ, XDG_CONFIG_HOME=str(xdg)))
    assert r.returncode == 0, r.stderr
    assert (xdg / "fish" / "conf.d" / "claude-usage.fish").exists()
    assert not (home / ".config").exists()


def test_starship_install_appends_to_an_existing_config_once(home: Path) -> None:
    config = home / ".config" / "starship.toml"
    config.parent.mkdir(parents=True)
    config.write_text('add_newline = false\n[character]\nsuccess_symbol = ">"')  # no final newline
    assert cli("setup", "starship", "--install").returncode == 0
    text = config.read_text()
    assert text.startswith('add_newline = false\n[character]\nsuccess_symbol = ">"\n\n')
    assert text.endswith(installed("starship/starship.toml", home))
    r = cli("setup", "starship", "--install")
    assert r.returncode == 0 and "unchanged" in r.stdout
    assert config.read_text() == text and text.count("[custom.claude_usage]") == 1


def test_starship_install_follows_starship_config(home: Path, tmp_path: Path) -> None:
    target = tmp_path / "elsewhere" / "star.toml"
    r = cli("setup", "starship", "--install", env=dict(os.environ, STARSHIP_CONFIG=str(target)))
    assert r.returncode == 0, r.stderr
    assert "[custom.claude_usage]" in target.read_text()


def waybar_module(out: str) -> dict:
    """The module ``setup waybar --install`` prints, as Waybar reads it (its comments dropped)."""
    import json

    start, end = out.index('  "custom/claude-usage": {'), out.rindex("  }") + 3
    return json.loads("{" + "".join(ln for ln in out[start:end].splitlines(True) if "//" not in ln) + "}")


def test_waybar_install_prints_the_exact_module_and_where_it_goes(home: Path) -> None:
    """Waybar's config is the user's JSONC with comments: not edited, but the answer is complete
    (the module as valid JSON, the file, the modules list, the reload) and exits 0."""
    r = cli("setup", "waybar", "--install")
    assert r.returncode == 0, r.stderr
    assert not (home / ".config").exists()
    out = r.stdout
    assert str(home / ".config" / "waybar" / "config.jsonc") in out and '"modules-right"' in out
    assert "reload Waybar" in out and not out.rstrip().endswith(":")
    assert waybar_module(out)["custom/claude-usage"]["return-type"] == "json"
    (home / ".config" / "waybar").mkdir(parents=True)
    (home / ".config" / "waybar" / "config").write_text("{}")
    assert str(home / ".config" / "waybar" / "config") + ":" in cli("setup", "waybar", "--install").stdout


def test_waybars_exec_runs_the_fast_launch_by_absolute_path_through_sh(warm, home: Path, tmp_path: Path) -> None:
    """Defect 9: ``exec`` named a bare claude-usage-line. Waybar runs it through ``sh -c``: the
    fast launch with its fallback, by absolute path, prints the JSON with no PATH to help;
    the click runs claude-usage by absolute path too."""
    import json
    import subprocess

    module = waybar_module(cli("setup", "waybar", "--install").stdout)["custom/claude-usage"]
    fast = home / ".local" / "share" / "claude-usage" / "bin" / "claude-usage-line"
    from statusline.commands import launcher

    python = launcher.interpreter(fast.read_text())  # the launcher compiled, run by its own Python
    assert module["exec"] == f"{python} -IS {fast}.pyc --format waybar || {fast}-fallback --format waybar"
    shown = subprocess.run(["/bin/sh", "-c", module["exec"]], capture_output=True, text=True, timeout=20,
                           env=dict(os.environ, PATH=str(tmp_path / "empty")))
    assert shown.returncode == 0 and "5h 78%" in json.loads(shown.stdout)["text"], shown
    assert module["on-click"] == f"{Path(sys.executable).parent / 'claude-usage'} refresh"
    r = cli("setup", "waybar", "--uninstall")
    assert r.returncode == 0 and "remove the module" in r.stdout and not fast.exists(), r.stdout


def test_xbar_install_writes_only_on_macos(home: Path) -> None:
    """Defect 7: xbar and SwiftBar are macOS apps; on Linux --install made ~/Library/... silently."""
    r = cli("setup", "xbar", "--install", env=dict(os.environ, CLAUDE_USAGE_PLATFORM="linux"))
    assert r.returncode == 1 and "macOS" in r.stderr and "`claude-usage setup xbar`" in r.stderr, r.stderr
    assert {p.name for p in home.iterdir()} == {".claude"}
    r = cli("setup", "xbar", "--install", env=dict(os.environ, CLAUDE_USAGE_PLATFORM="darwin"))
    assert r.returncode == 0, r.stderr
    plugin = home / "Library" / "Application Support" / "xbar" / "plugins" / "claude-usage.1m.sh"
    assert plugin.read_text() == (INTEGRATIONS / "xbar" / "claude-usage.1m.sh").read_text() and os.access(plugin, os.X_OK)
    assert not (home / ".local" / "share" / "claude-usage" / "bin").exists()  # the plugin runs no fast launch
    r = cli("setup", "xbar", "--uninstall", env=dict(os.environ, CLAUDE_USAGE_PLATFORM="darwin"))
    assert r.returncode == 0 and {p.name for p in home.iterdir()} == {".claude"}, r.stdout


@pytest.mark.parametrize("target, where", [
    ("tmux", ".config/tmux/claude-usage.tmux"),
    ("zsh", ".config/claude-usage/claude-usage.plugin.zsh"),
    ("fish", ".config/fish/conf.d/claude-usage.fish"),
])
def test_uninstall_removes_what_install_wrote(target: str, where: str, home: Path) -> None:
    assert cli("setup", target, "--install").returncode == 0
    path = home / where
    r = cli("setup", target, "--uninstall")
    assert r.returncode == 0 and f"removed {path}" in r.stdout and not path.exists()
    assert cli("setup", target, "--install").returncode == 0
    path.write_text(path.read_text() + "# my change\n")
    r = cli("setup", target, "--uninstall")
    assert r.returncode == 0 and not path.exists(), r.stdout
    kept = list(path.parent.glob(path.name + ".bak-*"))
    assert len(kept) == 1 and kept[0].read_text().endswith("# my change\n")  # an edited file is kept aside
    again = cli("setup", target, "--uninstall")
    assert again.returncode == 0 and "nothing to remove" in again.stdout


def test_starship_uninstall_cuts_out_only_our_module(home: Path) -> None:
    conf = home / ".config" / "starship.toml"
    conf.parent.mkdir(parents=True)
    mine = 'add_newline = false\n\n[character]\nsuccess_symbol = ">"\n'
    conf.write_text(mine)
    assert cli("setup", "starship", "--install").returncode == 0
    assert "[custom.claude_usage]" in conf.read_text()
    r = cli("setup", "starship", "--uninstall")
    assert r.returncode == 0, r.stderr
    assert conf.read_text() == mine
    backups = list(conf.parent.glob("starship.toml.bak-*"))
    assert len(backups) == 1 and "[custom.claude_usage]" in backups[0].read_text()
    # A table of that name setup has no record of writing: left as it is, never cut by its shape.
    theirs = mine + '\n[custom.claude_usage]\ncommand = "mine"\n\n[git_branch]\nsymbol = "b"\n'
    conf.write_text(theirs)
    r = cli("setup", "starship", "--uninstall")
    assert r.returncode == 0 and "no record" in r.stdout and conf.read_text() == theirs, r.stdout


def test_completions_uninstall(home: Path) -> None:
    assert cli("setup", "completions", "--install").returncode == 0
    assert cli("setup", "completions", "--uninstall").returncode == 0
    assert {p.name for p in home.iterdir()} == {".claude"}  # every file and folder it made is gone


def test_options_for_another_target_are_noted(home: Path) -> None:
    r = cli("setup", "tmux", "--shell", "zsh")
    assert r.returncode == 0 and "--shell is for setup completions only" in r.stderr
    r = cli("setup", "zsh", "--chain", "x")
    assert "--chain is for setup claude-code only" in r.stderr


def test_print_and_install_exclude_each_other(home: Path) -> None:
    r = cli("setup", "zsh", "--install", "--print")
    assert r.returncode == 2 and not (home / ".config").exists()
    assert cli("setup", "zsh", "--install", "--uninstall").returncode == 2


def test_completions_install_for_every_shell(home: Path) -> None:
    r = cli("setup", "completions", "--install")
    assert r.returncode == 0, r.stderr
    comp = INTEGRATIONS / "completions"
    expected = {
        ".local/share/bash-completion/completions/claude-usage": "claude-usage.bash",
        ".local/share/bash-completion/completions/claude-usage-line": "claude-usage.bash",
        ".local/share/zsh/site-functions/_claude-usage": "_claude-usage",
        ".config/fish/completions/claude-usage.fish": "claude-usage.fish",
        ".config/fish/completions/claude-usage-line.fish": "claude-usage.fish",
    }
    for where, source in expected.items():
        assert (home / where).read_text() == (comp / source).read_text(), where
    assert "fpath=(" in r.stdout  # zsh's one manual step is spelled out
    record = ".local/share/claude-usage/setup-record.json"  # what setup wrote, for --uninstall
    assert {str(p.relative_to(home)) for p in home.rglob("*") if p.is_file()} == set(expected) | {record}


def test_completions_install_for_one_shell(home: Path) -> None:
    r = cli("setup", "completions", "--install", "--shell", "fish")
    assert r.returncode == 0, r.stderr
    assert {p.name for p in home.rglob("*") if p.is_file()} == {"claude-usage.fish", "claude-usage-line.fish",
                                                                "setup-record.json"}


@pytest.mark.parametrize("shell, source", [("bash", "claude-usage.bash"), ("zsh", "_claude-usage"),
                                           ("fish", "claude-usage.fish")])
def test_completions_print_for_shell_or_dollar_shell(shell: str, source: str) -> None:
    text = (INTEGRATIONS / "completions" / source).read_text()
    r = cli("setup", "completions", "--shell", shell)
    assert r.returncode == 0 and r.stdout == text, r.stderr
    r = cli("setup", "completions", env=dict(os.environ, SHELL=f"/usr/bin/{shell}"))
    assert r.returncode == 0 and r.stdout == text, r.stderr


def test_completions_print_asks_which_shell_when_unknown() -> None:
    r = cli("setup", "completions", env=dict(os.environ, SHELL="/bin/tcsh"))
    assert r.returncode == 2 and "--shell" in r.stderr and r.stdout == ""
