"""Shell completions for both commands, installed by ``claude-usage setup completions
--install`` and then loaded by the real shells from where they were written:

- bash: ``complete -p`` names our functions, and they answer for a given command line;
- zsh: compinit finds ``_claude-usage`` for both commands in ``fpath``, and Tab in an
  interactive zsh (under tmux) completes a setup target;
- fish: ``complete -C`` (fish's own completion engine) answers from the autoloaded files.

A drift check keeps every option and choice of both commands in all three files.
"""

from __future__ import annotations

import argparse
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import BIN, Tmux, bin_env, cli, poll

from statusline.commands import cli as cli_module
from statusline.commands import line

REPO = Path(__file__).resolve().parents[2]
COMPLETIONS = REPO / "integrations" / "completions"
FILES = {"bash": COMPLETIONS / "claude-usage.bash", "zsh": COMPLETIONS / "_claude-usage",
         "fish": COMPLETIONS / "claude-usage.fish"}


def need(program: str) -> str:
    found = shutil.which(program)
    if not found:
        pytest.skip(f"{program} is not installed (apt-get install {program})")
    return found


@pytest.fixture
def installed(home: Path) -> Path:
    r = cli("setup", "completions", "--install")
    assert r.returncode == 0, r.stderr
    return home


def run(argv: list[str], home: Path) -> str:
    env = bin_env(HOME=str(home))
    env.pop("XDG_CONFIG_HOME", None)
    r = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=30, cwd=str(home))
    assert r.returncode == 0, r.stderr
    return r.stdout


def words_of_panel() -> set[str]:
    """Every option, subcommand and choice of ``claude-usage``, from its argparse parser."""
    words: set[str] = set()

    def walk(parser: argparse.ArgumentParser) -> None:
        for action in parser._actions:
            words.update(o for o in action.option_strings)
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    words.add(name)
                    walk(sub)
            elif action.choices:
                words.update(str(c) for c in action.choices)

    walk(cli_module.build_parser())
    return words


def words_of_line() -> set[str]:
    """Every option and listed value of ``claude-usage-line``, from its --help text."""
    words = set(re.findall(r"(?m)^\s+(?:-h, )?(--[a-z-]+)", line.HELP)) | {"-h"}
    for opt in ("--format", "--mode", "--glyphs", "--style", "--theme"):
        listed = re.search(rf"(?m)^\s+{opt} \S+\s+(.*)$", line.HELP)
        assert listed, opt
        words.update(re.findall(r"[a-z]+", re.sub(r"\(.*?\)", "", listed.group(1))))
    return words


@pytest.mark.parametrize("shell", sorted(FILES))
def test_completions_know_every_option_and_choice(shell: str) -> None:
    text = FILES[shell].read_text()
    tokens = set(re.findall(r"(?<![\w-])-{0,2}[a-zA-Z][a-z0-9-]*", text))  # -V too
    if shell == "fish":  # fish spells options as -l NAME / -s X
        tokens |= {"--" + n for n in re.findall(r"-l ([a-z-]+)", text)} | {"-" + n for n in re.findall(r"-s ([a-zA-Z])", text)}
    missing = (words_of_panel() | words_of_line()) - tokens - {"default"}
    assert not missing, f"{FILES[shell].name} lacks {sorted(missing)}"


@pytest.mark.realprog
def test_bash_loads_and_answers(installed: Path) -> None:
    bash = need("bash")
    where = installed / ".local/share/bash-completion/completions"
    script = f"""
source {shlex.quote(str(where / 'claude-usage-line'))}
complete -p claude-usage claude-usage-line
COMP_WORDS=(claude-usage setup f); COMP_CWORD=2; _claude_usage_complete; echo "setup: ${{COMPREPLY[*]}}"
COMP_WORDS=(claude-usage setup fish --i); COMP_CWORD=3; _claude_usage_complete; echo "opt: ${{COMPREPLY[*]}}"
COMP_WORDS=(claude-usage-line --format t); COMP_CWORD=2; _claude_usage_line_complete; echo "format: ${{COMPREPLY[*]}}"
"""
    out = run([bash, "--norc", "--noprofile", "-c", script], installed)
    print(out)
    assert "complete -F _claude_usage_complete claude-usage\n" in out
    assert "complete -F _claude_usage_line_complete claude-usage-line\n" in out
    assert "setup: fish\n" in out and "opt: --install\n" in out and "format: tmux\n" in out


@pytest.mark.realprog
def test_zsh_compinit_finds_both_commands(installed: Path) -> None:
    zsh = need("zsh")
    where = installed / ".local/share/zsh/site-functions"
    script = (f"fpath=({shlex.quote(str(where))} $fpath); autoload -Uz compinit; compinit -u -d {installed}/.zcompdump;"
              " print -r -- $_comps[claude-usage] $_comps[claude-usage-line]")
    assert run([zsh, "-f", "-c", script], installed).strip() == "_claude-usage _claude-usage"


@pytest.mark.realprog
def test_zsh_tab_completes_in_an_interactive_shell(installed: Path) -> None:
    zsh = need("zsh")
    need("tmux")
    where = installed / ".local/share/zsh/site-functions"
    (installed / ".zshrc").write_text(
        f"fpath=({shlex.quote(str(where))} $fpath)\nautoload -Uz compinit\ncompinit -u -d {installed}/.zcompdump\n"
        "PROMPT='ZC> '\n")
    pane = Tmux("zc", bin_env(HOME=str(installed), ZDOTDIR=str(installed), TERM="xterm-256color"))
    try:
        pane.start("-d", "-x", "120", "-y", "20", f"{zsh} -d -i")
        poll("the prompt", pane.capture, lambda s: "ZC>" in s)
        pane("send-keys", "claude-usage setup fi", "Tab")
        shown = poll("the completed target", pane.capture, lambda s: "claude-usage setup fish" in s, 5)
        pane("send-keys", "C-u", "claude-usage-line --glyphs as", "Tab")
        shown = poll("the completed glyphs", pane.capture, lambda s: "--glyphs ascii" in s, 5)
        print(shown.strip())
    finally:
        pane.kill()


@pytest.mark.realprog
def test_fish_autoloads_and_answers(installed: Path) -> None:
    fish = need("fish")
    assert (BIN / "claude-usage").exists()  # fish completes commands it can find on PATH
    out = run([fish, "-c", "complete -C 'claude-usage setup f'; echo ---; complete -C 'claude-usage-line --format t';"
               " echo ---; complete -C 'claude-usage setup fish --in'"], installed)
    print(out)
    first, second, third = out.split("---\n")
    assert first.split() == ["fish"]
    assert second.split("\t")[0] == "tmux"
    assert third.startswith("--install\t")
