"""Every door guarded, the way in (issue 17): every file we read goes through one opener (no
link, no FIFO, a size cap, ours only), every file we write through one atomic writer, every
lock has a timeout, and a cache root shared with other users is never used itself."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import guard
import pytest
from helpers import CLI, LINE, account_dir, age_cache, cli, fetch, line

from statusline.cache import cache_view, fastpaths, safefiles
from statusline.sources import claude_version

NOBODY = 65534
HOOK_INPUT = json.dumps({"model": {"display_name": "Opus"}, "version": "2.1.90", "session_id": "s"})


def _fifo(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if path.exists() or path.is_symlink():
        path.unlink()
    os.mkfifo(path, 0o600)


def _pool_dir(cache_dir: Path) -> Path:
    found = [p for p in cache_dir.glob("oauth-*") if p.is_dir()]
    assert found, list(cache_dir.iterdir())
    return found[0]


@pytest.mark.parametrize("which", ["line.bin", "claude-code.version", "budget.json"])
def test_a_fifo_in_place_of_a_cache_file_hangs_nothing(warm, cache_dir: Path, which: str) -> None:
    target = {"line.bin": account_dir() / "line.bin", "claude-code.version": cache_dir / "claude-code.version",
              "budget.json": _pool_dir(cache_dir) / "budget.json"}[which]
    _fifo(target)
    # Each would block forever in open() on main: a timeout here is the failure.
    out = line("--no-refresh")
    assert out.returncode == 0 and out.stdout.strip()
    hook = subprocess.run([LINE, "--claude-code", "--no-refresh"], input=HOOK_INPUT, capture_output=True,
                          text=True, timeout=20)
    assert hook.returncode == 0 and hook.stdout.strip()
    r = cli("refresh", timeout=30)
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize("which", ["fetcher.log", "line-usage-error", "history.pending"])
def test_a_fifo_in_place_of_a_log_or_note_hangs_nothing(warm, cache_dir: Path, which: str) -> None:
    """The files written by appending or read only by doctor: a FIFO there is refused at once,
    by the line spawning its fetcher (the log is its stderr), the hook noting a sample, and
    doctor reading them (each blocked forever in open() before)."""
    target = {"fetcher.log": account_dir() / "fetcher.log", "line-usage-error": cache_dir / "line-usage-error",
              "history.pending": Path(cache_view.history_dir(str(account_dir()))) / "history.pending"}[which]
    _fifo(target)
    age_cache(120)  # the data is due: the line starts the fetcher, whose stderr is the log
    out = line()
    assert out.returncode == 0 and out.stdout.strip()
    stdin = json.dumps({"session_id": "s", "model": {"display_name": "Opus"}, "rate_limits": {
        "five_hour": {"used_percentage": 12, "resets_at": int(time.time()) + 3600}}})
    hook = subprocess.run([LINE, "--claude-code", "--no-refresh"], input=stdin, capture_output=True,
                          text=True, timeout=20)
    assert hook.returncode == 0 and "12%" in hook.stdout
    doctor = cli("doctor", timeout=30)
    assert "Traceback" not in doctor.stderr, doctor.stderr


def test_files_of_other_programs_are_read_by_the_one_opener(tmp_path: Path) -> None:
    """Pace Maker's database and config, and our config.toml, are read through
    ``safefiles`` (regular files only, never waited on): a FIFO is refused at once. A timer
    opens the FIFO's other end after 3 s, so a blocking open fails this test instead of
    hanging it."""
    import threading

    from statusline.cache import config
    from statusline.sources import pace_maker_state

    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)

    def release() -> None:
        try:
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        except OSError:
            pass  # nobody waits on it: the opener did not block

    timer = threading.Timer(3.0, release)
    timer.start()
    try:
        with pytest.raises(OSError, match="not a regular file"):
            pace_maker_state.query_db(fifo, lambda conn: 1, 0)
        with pytest.raises(OSError, match="not a regular file"):
            safefiles.read_regular(str(fifo), follow=True)
        assert config.read_file(fifo)[1] == [f"{fifo} is not a regular file; ignored"]
    finally:
        timer.cancel()


def test_a_held_notification_lock_does_not_block(tmp_path: Path) -> None:
    from statusline.render import notify

    acct = tmp_path / "cache" / "auto-0123456789abcdef"
    acct.mkdir(parents=True)
    _, lock = notify._state_paths(acct)
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)  # another process holds it, forever
    try:
        code = ("import sys, time; from statusline.render import notify; "
                "print(notify.maybe_notify(sys.argv[1], [('five_hour', None, 99.0, time.time() + 600, time.time())],"
                " time.time(), {'CLAUDE_USAGE_NOTIFY': '80', 'PATH': ''}))")
        r = subprocess.run([sys.executable, "-c", code, str(acct)], capture_output=True, text=True, timeout=20)
        assert r.returncode == 0 and r.stdout.strip() == "[]", r.stderr
    finally:
        os.close(fd)


def test_the_version_probe_writes_through_the_atomic_writer(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "claude").write_text("#!/bin/sh\necho '2.1.77 (Claude Code)'\n")
    (bin_dir / "claude").chmod(0o755)
    root = tmp_path / "root"
    root.mkdir(mode=0o700)
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    victim.chmod(0o644)
    # The old predictable temp name, and the target itself, both planted as links to the victim.
    os.symlink(victim, root / f".{claude_version.PROBED}.{os.getpid()}.tmp")
    os.symlink(victim, root / claude_version.PROBED)
    assert claude_version.current(root, {"PATH": str(bin_dir)}) == "2.1.77"
    assert victim.read_text() == "precious\n" and victim.stat().st_mode & 0o777 == 0o644
    probed = root / claude_version.PROBED
    assert not probed.is_symlink() and probed.stat().st_mode & 0o777 == 0o600
    assert claude_version.current(root, {"PATH": ""}) == "2.1.77"  # read back through the opener


def test_read_own_refuses_fifos_links_big_files_and_strangers(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    big = tmp_path / "big"
    big.write_bytes(b"x" * 2048)
    theirs = tmp_path / "theirs"
    theirs.write_bytes(b"hi")
    os.chown(theirs, NOBODY, NOBODY)
    os.symlink(big, tmp_path / "link")
    for path, limit in ((fifo, 4096), (big, 1024), (theirs, 4096), (tmp_path / "link", 4096)):
        with pytest.raises(OSError):
            safefiles.read_own(str(path), limit)
    assert safefiles.read_own(str(big), 4096) == b"x" * 2048


def _as_nobody(script: str) -> None:
    if shutil.which("setpriv") is None or os.geteuid() != 0:
        pytest.skip("needs root and setpriv to act as another user")
    subprocess.run(["setpriv", "--reuid", str(NOBODY), "--regid", str(NOBODY), "--clear-groups",
                    "sh", "-c", script], check=True, timeout=20)


def test_a_shared_cache_root_is_never_used_itself(warm, cache_dir: Path, tmp_path: Path, monkeypatch) -> None:

    shared = guard.public_dir("cu-shared-")  # reachable by the other user
    shared.chmod(0o1777)
    # Another user's account dir with a warm line.bin, where ours would be without the rule:
    theirs = Path(fastpaths.account_dir(str(shared), fastpaths.config_dir(os.environ), "auto"))
    mine = account_dir()
    try:
        _shared_root_checks(shared, theirs, mine, monkeypatch)
    finally:
        shutil.rmtree(shared, ignore_errors=True)


def _shared_root_checks(shared: Path, theirs: Path, mine: Path, monkeypatch) -> None:
    _as_nobody(f"mkdir -m 700 {theirs} && mkfifo {shared}/claude-code.version")
    subprocess.run(["sh", "-c", f"cp -p {mine}/*.bin {theirs}/ && chown -R {NOBODY}:{NOBODY} {theirs}"], check=True)
    monkeypatch.setenv("CLAUDE_USAGE_CACHE_DIR", str(shared))
    assert fastpaths.cache_root(os.environ) == str(shared / f"user-{os.geteuid()}")
    out = line("--no-refresh")
    assert out.returncode == 0 and "78%" not in out.stdout, out.stdout  # not their reading
    r = fetch()
    assert r.returncode == 0, r.stderr
    own = shared / f"user-{os.geteuid()}"
    assert own.is_dir() and own.stat().st_uid == os.geteuid() and own.stat().st_mode & 0o777 == 0o700
    assert "78%" in line("--no-refresh").stdout  # ours, from our own subfolder
    doctor = subprocess.run([CLI, "doctor"], capture_output=True, text=True, timeout=60)
    assert f"{shared} is shared with other users" in doctor.stdout and f"user-{os.geteuid()}" in doctor.stdout


def test_our_subfolder_taken_first_by_another_user_is_named_by_doctor(api, logged_in, monkeypatch) -> None:
    """Another user makes ``user-<our uid>`` in the shared root before we do, and fills it with
    FIFOs. Nothing hangs or shows their files; doctor names the folder and its fix (it said ok
    before); Claude Code's status line still shows the numbers Claude Code just gave it."""

    shared = guard.public_dir("cu-shared-")
    shared.chmod(0o1777)
    theirs = shared / f"user-{os.geteuid()}"
    try:
        _as_nobody(f"umask 0 && mkdir {theirs} && mkfifo {theirs}/line.bin {theirs}/budget.json "
                   f"{theirs}/claude-code.version")
        monkeypatch.setenv("CLAUDE_USAGE_CACHE_DIR", str(shared))
        assert line("--format", "plain").stdout.strip() == "claude: cache dir unusable"
        stdin = json.dumps({"session_id": "s", "version": "2.1.90", "model": {"display_name": "Opus"}, "rate_limits": {
            "five_hour": {"used_percentage": 12, "resets_at": int(time.time()) + 3600}}})
        hook = line("--claude-code", input=stdin, env=dict(os.environ, NO_COLOR="1"))
        assert hook.returncode == 0 and "5h 12%" in hook.stdout and "cache dir unusable" in hook.stdout, hook.stdout
        doctor = cli("doctor")
        assert doctor.returncode == 1
        row = next(r for r in doctor.stdout.splitlines() if "belongs to another user" in r)
        assert row.startswith("[!!] cache:") and str(theirs) in row, doctor.stdout
        fix = doctor.stdout.splitlines()[doctor.stdout.splitlines().index(row) + 1]
        assert "fix: set CLAUDE_USAGE_CACHE_DIR to a directory of yours" in fix, doctor.stdout
        assert f"[ok] cache: {shared / theirs.name}" not in doctor.stdout
        assert api.count("/api/oauth/usage") == 0
        assert sorted(p.name for p in theirs.iterdir()) == ["budget.json", "claude-code.version", "line.bin"]
    finally:
        shutil.rmtree(shared, ignore_errors=True)
