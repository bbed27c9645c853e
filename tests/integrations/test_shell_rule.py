"""The one rule of the shell plugins (integrations/README.md, "The rule the shell plugins share"),
held by the same cases on zsh, bash and fish: each a real interactive shell in a private tmux
pane, sourcing the shipped plugin, read through ``capture-pane`` (the panes of test_shells.py
and test_fish.py).

- **Which folder.** A relative ``XDG_CACHE_HOME``, ``CLAUDE_USAGE_CACHE_DIR`` or ``XDG_DATA_HOME``
  is ignored: a rendered file or a launcher at that path below the shell's folder (a
  repository's own, say) is neither shown nor run.
- **Read** only a regular file of ours in a folder of ours: in a shared (sticky) root another
  user's planted file is not shown (our own ``user-<uid>`` is used); a FIFO in place of the file
  does not hang the prompt; a file of ours in a folder that is not ours is not shown.
- **Write** only into a folder of ours, through a fresh temp name created exclusively: links
  planted at every name that could be guessed write through nothing; nothing at all is written
  into a folder not ours.
- **The fast launch** runs only when it and its folders are ours; when it cannot start (its
  ``#!`` names a Python that is gone) the prompt shows the numbers (its fallback runs a
  claude-usage-line still installed) or what to do, not a blank.

The cases acting as another user need root and ``setpriv`` (the user is ``nobody``).
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import time
from pathlib import Path

import guard
import pytest
from helpers import BIN, bin_env, install_launcher, panes, poll
from test_fish import FishPane
from test_shells import BASH, ZSH, Pane

pytestmark = [pytest.mark.realprog,
              pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (apt-get install tmux)")]

SHELLS = ["zsh", "bash", "fish"]
RENDERED = {"zsh": "prompt.zsh", "bash": "prompt.bash", "fish": "prompt.fish"}
NOBODY = 65534
OURS = "OURS-LINE"


@pytest.fixture
def shell(home: Path):
    """``shell(name, **env)``: that shell, interactive, in ``home``, with the plugin sourced."""
    def start(name: str, **extra: str):
        if shutil.which(name) is None:
            pytest.skip(f"{name} is not installed (apt-get install {name})")
        env = dict(bin_env(), **extra)
        return keep(FishPane(home, env) if name == "fish" else Pane(ZSH if name == "zsh" else BASH, home, env))

    with panes() as keep:
        yield start


def as_nobody(script: str) -> None:
    """``script`` run by /bin/sh as the user nobody: another user of the machine."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to act as another user")
    subprocess.run(["setpriv", "--reuid", str(NOBODY), "--regid", str(NOBODY), "--clear-groups", "sh", "-c", script],
                   check=True, timeout=10)


@pytest.fixture
def public():
    """A folder other users can reach (in /tmp), removed afterwards."""
    made: list[Path] = []

    def make(prefix: str = "cu-rule-") -> Path:
        made.append(guard.public_dir(prefix))
        return made[-1]

    try:
        yield make
    finally:
        for path in made:
            shutil.rmtree(path, ignore_errors=True)


def fake_line(folder: Path, before: str = "", text: str = OURS) -> Path:
    """A claude-usage-line that prints ``text`` (after running ``before``), as CLAUDE_USAGE_LINE_CMD."""
    script = folder / "fake-claude-usage-line"
    script.write_text(f"#!/bin/sh\n{before}\necho {shlex.quote(text)}\n")
    script.chmod(0o755)
    return script


def fresh(text: str) -> str:
    """A rendered file's content, rendered now (so no max age hides it)."""
    return f"{int(time.time())}\n{text}\n"


def listing(root: Path) -> list[tuple[str, int, str]]:
    """Every path below ``root`` with its owner and (for files) content: to see that nothing changed."""
    out = []
    for p in sorted(root.rglob("*")):
        body = p.read_text() if p.is_file() and not p.is_symlink() else ""
        out.append((str(p.relative_to(root)), p.lstat().st_uid, body))
    return out


def prompt_shows(pane, text: str, timeout: float = 10) -> str:
    """Press Enter until a prompt line shows ``text``; that line."""
    def last() -> str:
        pane.enter()
        return pane.prompts()[-1]

    return poll(f"{text!r} at a prompt", last, lambda s: text in s, timeout, every=0.2)


# --- read: only a regular file of ours, in a folder of ours -----------------------------------

@pytest.mark.parametrize("name", SHELLS)
def test_in_a_shared_root_a_file_planted_by_another_user_is_not_shown(name: str, shell, public, tmp_path: Path) -> None:
    """A cache root shared with other users (1777): another user's prompt file there is neither
    shown nor replaced; the plugin renders into its own ``user-<uid>``, 0700, and shows that."""
    shared = public("cu-shared-")
    shared.chmod(0o1777)
    planted = shared / RENDERED[name]
    as_nobody(f"printf '%s\\n%s\\n' {int(time.time())} 'PLANTED 5h 99' > {shlex.quote(str(planted))}")
    pane = shell(name, CLAUDE_USAGE_CACHE_DIR=str(shared), CLAUDE_USAGE_LINE_CMD=str(fake_line(tmp_path)))
    pane.wait_prompts(1)
    own = shared / f"user-{os.geteuid()}"
    poll("our own rendered file", (own / RENDERED[name]).is_file, bool, 10)
    last = prompt_shows(pane, OURS)
    print(f"{name}: prompt in a shared root with a planted file:", last.strip())
    assert "PLANTED" not in pane.screen(), pane.screen()
    assert planted.read_text().endswith("PLANTED 5h 99\n") and planted.stat().st_uid == NOBODY  # theirs, untouched
    assert own.stat().st_mode & 0o777 == 0o700 and own.stat().st_uid == os.geteuid()


@pytest.mark.parametrize("name", SHELLS)
def test_a_fifo_in_place_of_the_file_does_not_hang_the_prompt(name: str, shell, tmp_path: Path,
                                                             cache_dir: Path) -> None:
    """Opening a FIFO blocks until someone writes to it: the prompt must come back at once, and
    the next render replaces the FIFO with the file."""
    cache_dir.mkdir(parents=True)
    fifo = cache_dir / RENDERED[name]
    os.mkfifo(fifo)
    pane = shell(name, CLAUDE_USAGE_LINE_CMD=str(fake_line(tmp_path)))
    pane.wait_prompts(1)  # a plugin that opens the FIFO never gets here
    poll("the FIFO replaced by the rendered file", fifo.is_file, bool, 10)
    print(f"{name}: prompt after a FIFO:", prompt_shows(pane, OURS).strip())


@pytest.mark.parametrize("where", ["shared-root", "named-dir"])
@pytest.mark.parametrize("name", SHELLS)
def test_a_folder_not_ours_is_neither_read_nor_written(name: str, where: str, shell, public,
                                                      tmp_path: Path) -> None:
    """The folder itself is another user's (a ``user-<uid>`` they made first in a shared root, or
    a folder of theirs named as the cache), open to all: even a file of ours in it is not shown
    (they could swap it), and nothing is rendered for it, nor written there or anywhere in the
    shared root."""
    top = public("cu-theirs-")
    if where == "shared-root":
        top.chmod(0o1777)
        theirs, root = top / f"user-{os.geteuid()}", top
    else:
        top.chmod(0o777)  # for them to make their folder in; then only theirs is open to all
        theirs = root = top / "cache"
    as_nobody(f"mkdir -m 777 {shlex.quote(str(theirs))}")
    top.chmod(top.stat().st_mode & 0o1777 if where == "shared-root" else 0o755)
    (theirs / RENDERED[name]).write_text(fresh("PLANTED 5h 99"))  # ours (the test's user), in their folder
    before = listing(top)
    ran = tmp_path / "ran"
    line = fake_line(tmp_path, before=f"echo ran >> {shlex.quote(str(ran))}")
    pane = shell(name, CLAUDE_USAGE_CACHE_DIR=str(root), CLAUDE_USAGE_LINE_CMD=str(line))
    pane.wait_prompts(1)
    time.sleep(2)  # the background render the first prompt would start has had its time
    pane.enter()
    assert "PLANTED" not in pane.screen() and OURS not in pane.screen(), pane.screen()
    assert listing(top) == before
    assert not ran.exists()  # nothing is even rendered for a folder the plugin would not write


# --- write: only into a folder of ours, through a fresh name created exclusively -------------

@pytest.mark.parametrize("name", SHELLS)
def test_links_at_every_guessable_temp_name_write_through_nothing(name: str, shell, tmp_path: Path,
                                                                 cache_dir: Path) -> None:
    """While the line renders, a link to a file of the user's is planted at every temp name that
    could be guessed (``prompt.X.<pid>.tmp`` for the render and each process above it): the file
    behind the links keeps its content, and the rendered file is a regular file with the line."""
    cache_dir.mkdir(parents=True)
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    rendered = cache_dir / RENDERED[name]
    q = shlex.quote
    plant = (f"pid=$$\nwhile [ -n \"$pid\" ] && [ \"$pid\" -gt 1 ]; do\n"
             f"  ln -s {q(str(victim))} {q(str(rendered))}.$pid.tmp 2>/dev/null\n"
             f"  pid=$(sed -n 's/^PPid:[[:space:]]*//p' /proc/$pid/status 2>/dev/null)\ndone\n"
             f"ln -s {q(str(victim))} {q(str(rendered))}.tmp 2>/dev/null")
    if not Path("/proc/self/status").exists():
        pytest.skip("needs /proc to find the render's processes")
    pane = shell(name, CLAUDE_USAGE_LINE_CMD=str(fake_line(tmp_path, before=plant)))
    pane.wait_prompts(1)
    poll("the rendered file", lambda: rendered.is_file() and OURS in rendered.read_text(), bool, 10)
    assert victim.read_text() == "precious\n"
    assert not rendered.is_symlink() and rendered.stat().st_mode & 0o777 == 0o600
    assert len(list(cache_dir.glob(f"{RENDERED[name]}.*.tmp"))) >= 2  # the links were planted in time
    prompt_shows(pane, OURS)


# --- which folder: a relative path from the environment is ignored ---------------------------

@pytest.mark.parametrize("variable", ["XDG_CACHE_HOME", "CLAUDE_USAGE_CACHE_DIR"])
@pytest.mark.parametrize("name", SHELLS)
def test_a_relative_cache_folder_is_ignored(name: str, variable: str, shell, home: Path, tmp_path: Path) -> None:
    """A relative value would be resolved in the folder the shell is in: a repository holding
    ``rel/claude-usage/prompt.X`` would have its text shown on ``cd``. The plugin uses the
    default folder instead, as the line does."""
    repo_file = home / "rel" / ("claude-usage" if variable == "XDG_CACHE_HOME" else "") / RENDERED[name]
    repo_file.parent.mkdir(parents=True)
    repo_file.write_text(fresh("REPO-PLANTED 5h 99"))
    value = "rel" if variable == "XDG_CACHE_HOME" else "rel/"
    pane = shell(name, **{"CLAUDE_USAGE_CACHE_DIR": "", variable: value,
                          "CLAUDE_USAGE_LINE_CMD": str(fake_line(tmp_path))})
    pane.wait_prompts(1)
    default = home / ".cache" / "claude-usage" / RENDERED[name]
    poll("the file in the default folder", default.is_file, bool, 10)
    prompt_shows(pane, OURS)
    assert "REPO-PLANTED" not in pane.screen(), pane.screen()
    assert sorted(p.name for p in repo_file.parent.iterdir()) == [RENDERED[name]]  # nothing written there


@pytest.mark.parametrize("absolute", [False, True], ids=["relative", "absolute"])
@pytest.mark.parametrize("name", SHELLS)
def test_a_relative_data_home_runs_no_launcher(name: str, absolute: bool, shell, home: Path, tmp_path: Path,
                                               cache_dir: Path) -> None:
    """A relative ``XDG_DATA_HOME`` would run ``rel/claude-usage/bin/claude-usage-line`` of
    whatever folder the shell is in: never run. The absolute one is the fast launch's place."""
    bin_dir = home / "rel" / "claude-usage" / "bin"
    bin_dir.mkdir(parents=True)
    marker = tmp_path / "launcher-ran"
    launcher = fake_line(tmp_path, before=f"echo ran >> {shlex.quote(str(marker))}", text="FROM-THE-LAUNCHER")
    shutil.move(launcher, bin_dir / "claude-usage-line")
    pane = shell(name, XDG_DATA_HOME=str(home / "rel") if absolute else "rel",
                 CLAUDE_USAGE_LINE_CMD="")  # the line found as the plugin finds it
    pane.wait_prompts(1)
    poll("the rendered file", (cache_dir / RENDERED[name]).is_file, bool, 15)
    text = (cache_dir / RENDERED[name]).read_text()
    if absolute:
        assert "FROM-THE-LAUNCHER" in text and marker.exists(), text
    else:
        assert "FROM-THE-LAUNCHER" not in text and not marker.exists(), text
        assert "claude:" in text or "5h" in text, text  # the console script on PATH rendered it


# --- the fast launch: only ours, and a fallback when it cannot start -------------------------

@pytest.mark.parametrize("case", ["fallback-finds-the-line", "no-fallback", "nothing-installed"])
@pytest.mark.parametrize("name", SHELLS)
def test_a_fast_launch_that_cannot_start_still_shows_a_line(name: str, case: str, warm, shell,
                                                           tmp_path: Path) -> None:
    """The venv behind the fast launch removed: its ``#!`` names a Python that is gone, so it
    exits 127 before any of its code runs. The plugin then runs its fallback (which finds the
    console script still installed, or says what to do), or, with no fallback of ours, a
    claude-usage-line on PATH: the prompt shows numbers or what to do, never a blank."""
    fast = install_launcher(python=str(tmp_path / "gone" / "python"))
    if case == "no-fallback":
        fast.with_name("claude-usage-line-fallback").unlink()
    path = "/usr/bin:/bin" if case == "nothing-installed" else f"{BIN}:/usr/bin:/bin"
    pane = shell(name, PATH=path, CLAUDE_USAGE_THROTTLE="0")
    pane.wait_prompts(1)
    want = "claude: reinstall claude-usage-line" if case == "nothing-installed" else "5h 78%"
    last = prompt_shows(pane, want, 15)
    print(f"{name}, fast launch whose Python is gone ({case}):", last.strip())


@pytest.mark.parametrize("theirs", ["the-file", "its-folder"])
@pytest.mark.parametrize("name", SHELLS)
def test_a_fast_launch_not_ours_is_never_run(name: str, theirs: str, shell, home: Path, tmp_path: Path,
                                             cache_dir: Path) -> None:
    """The plugins run whatever is executable at the fast launch's path: when the file, or the
    folder holding it, belongs to another user, it never runs; claude-usage-line on PATH does."""
    if os.geteuid() != 0:
        pytest.skip("needs root to give a file to another user")
    bin_dir = home / ".local" / "share" / "claude-usage" / "bin"
    bin_dir.mkdir(parents=True)
    marker = tmp_path / "launcher-ran"
    launcher = fake_line(tmp_path, before=f"echo ran >> {shlex.quote(str(marker))}", text="FROM-THE-LAUNCHER")
    shutil.move(launcher, bin_dir / "claude-usage-line")
    os.chown(bin_dir / "claude-usage-line" if theirs == "the-file" else bin_dir, NOBODY, NOBODY)
    pane = shell(name, CLAUDE_USAGE_LINE_CMD="")
    pane.wait_prompts(1)
    poll("the rendered file", (cache_dir / RENDERED[name]).is_file, bool, 15)
    assert not marker.exists() and "FROM-THE-LAUNCHER" not in (cache_dir / RENDERED[name]).read_text()
