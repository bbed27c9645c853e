"""The zsh plugin and the bash snippet in real interactive shells, each in a private tmux pane.

Each shell starts from an rc file that sets a plain prompt and sources the shipped snippet,
exactly as a user's ~/.zshrc or ~/.bashrc would. The tests read the screen with
``capture-pane`` and check that

- after two prompts the prompt shows the segment (``5h 78%``), in the shell's own escapes;
- the prompt never waits for Python: with ``CLAUDE_USAGE_LINE_CMD`` pointing at a wrapper
  that sleeps 5 s before it runs claude-usage-line, new prompts appear while it still sleeps
  (no timing bound but that one: the machine may be loaded), and the line the wrapper rendered
  shows up at a later prompt;
- a rendered file holding ``$(...)`` or backquotes is shown, never run, with PROMPT_SUBST
  (zsh) or promptvars (bash) on and off.

What the plugins trust (a shared root, another user's file, a FIFO, links, the fast launch) is
the one rule of the three shells, in test_shell_rule.py.
"""

from __future__ import annotations

import re
import shlex
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import PromptPane, bin_env, cli, held_line, panes, poll, prompts_while_held

pytestmark = pytest.mark.realprog

REPO = Path(__file__).resolve().parents[2]
INTEGRATIONS = REPO / "integrations"
SGR = re.compile(r"\x1b\[([0-9;:]*)m")


@dataclass(frozen=True)
class ShellKind:
    name: str
    snippet: Path
    marker: str  # the plain prompt the rc sets; every prompt line contains it
    rendered: str  # the rendered file's name in the cache dir
    subst_on: str  # the option that makes the prompt expand $(...)
    subst_off: str

    def rc(self, subst: bool) -> str:
        opt = self.subst_on if subst else self.subst_off
        if self.name == "zsh":
            return f"PROMPT='{self.marker} '\n{opt}\nsource {shlex.quote(str(self.snippet))}\n"
        return f"PS1='{self.marker} '\n{opt}\nsource {shlex.quote(str(self.snippet))}\n"

    def argv(self, home: Path) -> list[str]:
        if self.name == "zsh":  # -d: no /etc/zsh files; ZDOTDIR holds our .zshrc
            return ["zsh", "-d", "-i"]
        return ["bash", "--noprofile", "--rcfile", str(home / ".bashrc"), "-i"]


ZSH = ShellKind("zsh", INTEGRATIONS / "zsh" / "claude-usage.plugin.zsh", "ZP>", "prompt.zsh",
                "setopt prompt_subst", "unsetopt prompt_subst")
BASH = ShellKind("bash", INTEGRATIONS / "bash" / "claude-usage.bash", "BP>", "prompt.bash",
                 "shopt -s promptvars", "shopt -u promptvars")
KINDS = [pytest.param(ZSH, id="zsh"), pytest.param(BASH, id="bash")]


class Pane(PromptPane):
    """An interactive shell in a private tmux server, read through capture-pane."""

    def __init__(self, kind: ShellKind, home: Path, env: dict[str, str], subst: bool = True) -> None:
        if shutil.which(kind.name) is None:
            pytest.skip(f"{kind.name} is not installed (apt-get install {kind.name})")
        if shutil.which("tmux") is None:
            pytest.skip("tmux is not installed (apt-get install tmux)")
        super().__init__("sh", dict(env, ZDOTDIR=str(home), TERM="xterm-256color",
                                    SHELL=shutil.which(kind.name) or ""))
        self.kind, self.marker = kind, kind.marker
        rc = home / (".zshrc" if kind.name == "zsh" else ".bashrc")
        rc.write_text(kind.rc(subst))
        command = " ".join(shlex.quote(a) for a in kind.argv(home))
        self.start("-d", "-c", str(home), "-x", "150", "-y", "30", command)


@pytest.fixture
def shell(home: Path, tmp_path: Path):
    env = bin_env()
    with panes() as keep:
        yield lambda kind, subst=True, **extra: keep(Pane(kind, home, dict(env, **extra), subst))


def visible(text: str) -> str:
    return SGR.sub("", text)


@pytest.mark.parametrize("kind", KINDS)
def test_prompt_shows_segment_after_two_prompts(kind: ShellKind, warm, shell, cache_dir: Path) -> None:
    pane = shell(kind)
    pane.wait_prompts(1)
    rendered = cache_dir / kind.rendered
    deadline = time.monotonic() + 10
    while not rendered.exists():  # the first prompt's background refresh writes it
        assert time.monotonic() < deadline, f"{rendered} never written:\n{pane.screen()}"
        time.sleep(0.02)
    pane.enter()
    last = pane.prompts()[-1]
    print(f"{kind.name} prompt line:", last.strip())
    assert "5h 78%" in last and "7d 41%" in last, pane.screen()
    coloured = pane.prompts(escapes=True)[-1]
    before = coloured[:coloured.index("5h 78%")]
    assert any("33" in p.split(";") for p in SGR.findall(before)), f"not yellow: {coloured!r}"
    for raw in ("%F{", "%f", "%%", "\\[", "[33m", "${claude_usage_prompt}"):
        assert raw not in visible(coloured), (raw, coloured)
    assert not re.search(r"^\[\d+\]", pane.screen(), re.M), pane.screen()  # no job notices
    # Rendered atomically: the file is whole, with no temp file left behind.
    stamp, text = rendered.read_text().split("\n")[:2]
    assert stamp.isdigit() and "5h 78" in text
    assert not list(cache_dir.glob(f"{kind.rendered}.*"))


@pytest.mark.parametrize("kind", KINDS)
def test_prompt_does_not_wait_for_python(kind: ShellKind, warm, shell, tmp_path: Path, cache_dir: Path) -> None:
    held, release, calls = held_line(tmp_path)  # the render waits until the test lets it go
    rendered = cache_dir / kind.rendered
    try:
        # Throttle 0: every prompt would start a render; only "one at a time" holds them back.
        pane = shell(kind, CLAUDE_USAGE_LINE_CMD=str(held), CLAUDE_USAGE_THROTTLE="0")
        last = prompts_while_held(kind.name, pane, rendered, release, calls)
        assert "5h 78%" in last, pane.screen()
        poll("the second render to start", lambda: calls.read_text().count("started"), lambda n: n == 2, 10)
    finally:
        release.touch()


@pytest.mark.parametrize("subst", [True, False], ids=["subst-on", "subst-off"])
@pytest.mark.parametrize("kind", KINDS)
def test_rendered_text_is_never_executed(kind: ShellKind, subst: bool, shell, home: Path, tmp_path: Path,
                                         cache_dir: Path) -> None:
    cache_dir.mkdir(parents=True, exist_ok=True)
    hostile = "5h 1 $(touch pwned-1) `touch pwned-2` $((6*7)) ${HOME}"  # the shell runs in HOME
    if kind.name == "zsh":
        hostile = "%F{green}" + hostile.replace("5h 1", "5h 1%%") + "%f"
    (cache_dir / kind.rendered).write_text(f"{int(time.time())}\n{hostile}\n")  # fresh: no refresh
    pane = shell(kind, subst, CLAUDE_USAGE_LINE_CMD=str(tmp_path / "missing"))
    pane.wait_prompts(1)
    pane.enter()
    last = pane.prompts()[-1]
    print(f"{kind.name} ({'substitution on' if subst else 'substitution off'}) hostile file shown as:",
          last.strip())
    assert "$(touch pwned-1) `touch pwned-2` $((6*7)) ${HOME}" in last, last
    assert not list(home.glob("pwned*")) and not list(tmp_path.glob("**/pwned*"))
    if kind.name == "zsh":
        assert "5h 1%" in last and "%%" not in last


@pytest.mark.parametrize("kind", KINDS)
def test_setup_prints_the_snippet(kind: ShellKind) -> None:
    r = cli("setup", kind.name)
    assert r.returncode == 0, r.stderr
    assert r.stdout == kind.snippet.read_text()
    assert "source" in r.stderr


def test_bash_promptvars_off_shows_backslash_escapes_literally(shell, home: Path, tmp_path: Path,
                                                              cache_dir: Path) -> None:
    """With ``shopt -u promptvars`` bash still decodes PS1's backslash escapes: a name holding
    ``\\e]52;…\\a\\u@\\h`` must not write the clipboard nor expand to user@host (issue 17, #5)."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    hostile = "5h 1 \\e[7mREV\\e[0m \\u@\\h \\\\ end"
    (cache_dir / BASH.rendered).write_text(f"{int(time.time())}\n{hostile}\n")  # fresh: no refresh
    pane = shell(BASH, False, CLAUDE_USAGE_LINE_CMD=str(tmp_path / "missing"))
    pane.wait_prompts(1)
    pane.enter()
    last = pane.prompts()[-1]
    assert hostile in last, last
    assert "\x1b[7m" not in pane.capture(escapes=True)
