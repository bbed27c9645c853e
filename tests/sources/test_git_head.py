"""The git branch without a process (``sources/git_head``, #26.3): what a repository's ``.git``
says, and a ``.git`` that is a FIFO, huge, a loop of links or another user's hangs nothing and
shows nothing of theirs."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import guard
import pytest

from statusline.sources import git_head

NOBODY = 65534


def repo(where: Path, head: str = "ref: refs/heads/main\n") -> Path:
    (where / ".git").mkdir(parents=True)
    (where / ".git" / "HEAD").write_text(head)
    return where


def test_branch_detached_and_other_refs(tmp_path: Path) -> None:
    assert git_head.branch(str(repo(tmp_path / "a"))) == "main"
    assert git_head.branch(str(repo(tmp_path / "b", "ref: refs/heads/feature/x\n"))) == "feature/x"
    assert git_head.branch(str(repo(tmp_path / "c", "0123456789abcdef0123456789abcdef01234567\n"))) == "0123456"
    assert git_head.branch(str(repo(tmp_path / "d", "garbage\n"))) is None
    assert git_head.branch(str(tmp_path / "nowhere")) is None
    assert git_head.branch("relative/path") is None and git_head.branch("/a\0b") is None


def test_a_linked_worktree_through_its_gitdir_file(tmp_path: Path) -> None:
    main = repo(tmp_path / "main")
    (main / ".git" / "worktrees" / "w").mkdir(parents=True)
    (main / ".git" / "worktrees" / "w" / "HEAD").write_text("ref: refs/heads/fix\n")
    linked = tmp_path / "linked"
    linked.mkdir()
    (linked / ".git").write_text(f"gitdir: {main}/.git/worktrees/w\n")
    assert git_head.branch(str(linked)) == "fix"
    (linked / ".git").write_text("gitdir: ../main/.git/worktrees/w\n")  # relative to the .git file's folder
    assert git_head.branch(str(linked)) == "fix"


def test_the_walk_up_is_bounded(tmp_path: Path) -> None:
    top = repo(tmp_path / "top")
    deep = top.joinpath(*["d"] * (git_head.LEVELS - 1))
    deep.mkdir(parents=True)
    assert git_head.branch(str(deep)) == "main"
    deeper = deep / "d" / "d"
    deeper.mkdir(parents=True)
    assert git_head.branch(str(deeper)) is None  # more than LEVELS folders up: not looked for


@pytest.mark.parametrize("kind", ["fifo-git", "fifo-head", "huge-head", "loop", "dir-head", "link-head"])
def test_a_hostile_dot_git_hangs_nothing_and_shows_nothing(tmp_path: Path, kind: str) -> None:
    where = tmp_path / "w"
    where.mkdir()
    git = where / ".git"
    if kind == "fifo-git":
        os.mkfifo(git)
    elif kind == "loop":
        git.symlink_to(where / ".loop")
        (where / ".loop").symlink_to(git)
    else:
        git.mkdir()
        head = git / "HEAD"
        if kind == "fifo-head":
            os.mkfifo(head)
        elif kind == "huge-head":
            head.write_text("ref: refs/heads/" + "x" * (1 << 20))
        elif kind == "dir-head":
            head.mkdir()
        else:  # a link at HEAD, to a file elsewhere: the one opener follows no link there
            (tmp_path / "elsewhere").write_text("ref: refs/heads/theirs\n")
            head.symlink_to(tmp_path / "elsewhere")
    t = time.monotonic()
    assert git_head.branch(str(where)) is None
    assert time.monotonic() - t < 1.0


def test_a_dot_git_of_another_users_shows_nothing_of_theirs() -> None:
    """A shared folder (/tmp) where another user planted a .git: a session in a folder below it
    must not show their branch, and the walk stops there (no further .git above is read)."""
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        pytest.skip("needs root and setpriv to act as another user")
    shared = guard.public_dir("cu-git-")
    try:
        shared.chmod(0o1777)
        r = subprocess.run(["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "sh", "-c",
                            f"mkdir -p {shared}/.git && echo 'ref: refs/heads/THEIRS' > {shared}/.git/HEAD"],
                           capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        mine = shared / "mine"
        mine.mkdir()
        assert git_head.branch(str(mine)) is None
        # Our own file in their folder is no better: the .git folder itself is theirs
        os.chmod(shared / ".git", 0o777)
        (shared / ".git" / "HEAD").unlink()
        (shared / ".git" / "HEAD").write_text("ref: refs/heads/mine\n")
        assert git_head.branch(str(mine)) is None
    finally:
        shutil.rmtree(shared, ignore_errors=True)
