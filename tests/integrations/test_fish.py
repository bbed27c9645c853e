"""The fish integration in a real interactive fish, in a private tmux pane.

fish starts with no config of its own (``--no-config``), a plain prompt, and the shipped
``claude-usage.fish`` sourced, as ``conf.d`` would. The screen is read with ``capture-pane``:

- after two prompts the right prompt shows the segment, in colour;
- the prompt never waits for Python: with ``CLAUDE_USAGE_LINE_CMD`` pointing at a wrapper that
  sleeps 5 s, Enter gives new prompts while it still sleeps, three prompts start one render,
  and the rendered line shows up at a later prompt;
- a rendered file holding ``$(...)``, ``(...)``, a title escape and a clear-screen is shown as
  inert text: nothing runs, the title and the screen stay;
- a user's own ``fish_right_prompt`` keeps running after the segment.
"""

from __future__ import annotations

import re
import shlex
import shutil
import time
from pathlib import Path

import pytest
from helpers import PromptPane, bin_env, cli, held_line, panes, poll, prompts_while_held

pytestmark = [pytest.mark.realprog,
              pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed (apt-get install fish)"),
              pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (apt-get install tmux)")]

REPO = Path(__file__).resolve().parents[2]
SNIPPET = REPO / "integrations" / "fish" / "claude-usage.fish"
MARKER = "FP>"
SGR = re.compile(r"\x1b\[([0-9;:]*)m")


class FishPane(PromptPane):
    marker = MARKER

    def __init__(self, home: Path, env: dict[str, str], before: str = "") -> None:
        super().__init__("fish", dict(env, TERM="xterm-256color", SHELL=shutil.which("fish") or ""))
        init = (f"set -g fish_greeting; function fish_prompt; printf '{MARKER} '; end; {before}"
                f"source {shlex.quote(str(SNIPPET))}")
        command = " ".join(shlex.quote(a) for a in ["fish", "--no-config", "-i", "-C", init])
        self.start("-d", "-c", str(home), "-x", "120", "-y", "30", command)


@pytest.fixture
def fish(home: Path):
    env = bin_env()
    with panes() as keep:
        yield lambda before="", **extra: keep(FishPane(home, dict(env, **extra), before))


def test_right_prompt_shows_segment_after_two_prompts(warm, fish, cache_dir: Path) -> None:
    pane = fish()
    pane.wait_prompts(1)
    rendered = cache_dir / "prompt.fish"
    poll("the rendered file", rendered.exists, bool, 10)
    pane.enter()
    last = poll("the segment at a prompt", lambda: pane.prompts()[-1], lambda s: "5h 78%" in s, 5)
    print("fish prompt line:", last.strip())
    assert last.startswith(MARKER) and last.rstrip().endswith("7d 41%"), last  # on the right
    coloured = pane.prompts(escapes=True)[-1]
    before = coloured[:coloured.index("5h 78%")]
    assert SGR.findall(before)[-1:] == ["33"], f"not yellow: {coloured!r}"
    stamp, text = rendered.read_text().split("\n")[:2]
    assert stamp.isdigit() and "5h 78" in text
    assert not list(cache_dir.glob("prompt.fish.*"))  # no temp file or lock left behind
    assert "Job" not in pane.screen() and "has ended" not in pane.screen()  # the render is disowned


def test_prompt_does_not_wait_for_python(warm, fish, tmp_path: Path, cache_dir: Path) -> None:
    held, release, calls = held_line(tmp_path)  # the render waits until the test lets it go
    rendered = cache_dir / "prompt.fish"
    try:
        pane = fish(CLAUDE_USAGE_LINE_CMD=str(held), CLAUDE_USAGE_THROTTLE="0")
        last = prompts_while_held("fish", pane, rendered, release, calls)
        assert "5h 78%" in last  # back at once, though it started another held render
        poll("the second render to start", lambda: calls.read_text().count("started"), lambda n: n == 2, 10)
        assert "Job" not in pane.screen() and "has ended" not in pane.screen()
    finally:
        release.touch()


def test_rendered_text_is_shown_never_run(fish, home: Path, tmp_path: Path, cache_dir: Path) -> None:
    cache_dir.mkdir(parents=True, exist_ok=True)
    hostile = ("\x1b[32m5h 1%\x1b[0m $(touch pwned-1) (touch pwned-2) `touch pwned-3`"
               " \x1b]2;PWNED\x07 \x1b[2J \x9b2J end")
    (cache_dir / "prompt.fish").write_text(f"{int(time.time())}\n{hostile}\n")  # fresh: no refresh
    pane = fish(CLAUDE_USAGE_LINE_CMD=str(tmp_path / "missing"))
    pane("send-keys", "echo still-here", "Enter")
    pane.wait_prompts(2)
    last = pane.prompts()[-1]
    print("fish: hostile file shown as:", last.strip())
    assert "$(touch pwned-1) (touch pwned-2) `touch pwned-3`" in last and "end" in last, last
    assert "still-here" in pane.screen()  # no clear-screen reached the terminal
    assert "PWNED" not in pane("display-message", "-p", "#{pane_title}")
    coloured = pane.prompts(escapes=True)[-1]
    assert "32" in SGR.findall(coloured)  # the colour itself is kept
    assert not list(home.glob("**/pwned*")) and not list(tmp_path.glob("**/pwned*"))


def test_own_right_prompt_still_runs(warm, fish, cache_dir: Path) -> None:
    pane = fish(before="function fish_right_prompt; printf 'MINE'; end; ")
    pane.wait_prompts(1)
    poll("the rendered file", (cache_dir / "prompt.fish").exists, bool, 35)
    pane.enter()
    last = poll("both right prompts", lambda: pane.prompts()[-1], lambda s: "7d 41%" in s, 5)
    assert last.rstrip().endswith("7d 41% MINE"), last


def test_placed_by_hand_with_rprompt_off(warm, fish, cache_dir: Path) -> None:
    pane = fish(before="function fish_prompt; claude_usage_prompt; printf ' FP> '; end; ", CLAUDE_USAGE_RPROMPT="0")
    pane.wait_prompts(1)
    poll("the rendered file", (cache_dir / "prompt.fish").exists, bool, 35)
    pane.enter()
    last = poll("the segment on the left", lambda: pane.prompts()[-1], lambda s: "7d 41%" in s, 5)
    assert last.startswith("5h 78%") and last.rstrip().endswith(MARKER), last


def test_setup_fish_prints_the_snippet() -> None:
    r = cli("setup", "fish")
    assert r.returncode == 0, r.stderr
    assert r.stdout == SNIPPET.read_text()
    assert "conf.d" in r.stderr
