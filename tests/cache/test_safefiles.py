"""The cache's file rules, in-process and fast: trust, modes, links, FIFOs, temp files, locks,
and marshal files whose sizes lie."""

from __future__ import annotations

import errno
import marshal
import os
import stat
import time
import tracemalloc
from pathlib import Path

import pytest

from statusline.cache import safefiles, spawn, store


def mode(p: Path) -> int:
    return stat.S_IMODE(os.lstat(p).st_mode)


def test_dirs_we_create_are_0700_whatever_the_umask(tmp_path):
    old = os.umask(0)
    try:
        safefiles.prepare_dir(str(tmp_path / "a" / "b" / "acct"))
    finally:
        os.umask(old)
    for p in (tmp_path / "a", tmp_path / "a" / "b", tmp_path / "a" / "b" / "acct"):
        assert mode(p) == 0o700, p
    old = os.umask(0o777)  # even a umask that removes the owner's bits
    try:
        safefiles.prepare_dir(str(tmp_path / "c" / "acct"))
    finally:
        os.umask(old)
    assert mode(tmp_path / "c" / "acct") == 0o700


def test_the_holder_is_never_chmod_ed(tmp_path):
    for bits in (0o1777, 0o755, 0o711):
        holder = tmp_path / f"h{bits:o}"
        holder.mkdir()
        holder.chmod(bits)
        safefiles.prepare_dir(str(holder / "acct"))
        assert mode(holder) == bits


def test_our_loose_account_dir_is_tightened(tmp_path):
    acct = tmp_path / "acct"
    acct.mkdir()
    acct.chmod(0o755)
    assert safefiles.trust_problem(str(acct)) is None
    assert mode(acct) == 0o700


@pytest.mark.parametrize("bits,ok", [(0o777, False), (0o775, False), (0o757, False), (0o1777, True), (0o1770, True)])
def test_holder_writable_by_others_needs_the_sticky_bit(tmp_path, bits, ok):
    holder = tmp_path / "h"
    holder.mkdir()
    holder.chmod(bits)
    problem = safefiles.trust_problem(str(holder / "acct"))
    assert (problem is None) == ok, problem
    if not ok:
        assert "writable by other users" in problem and "chmod go-w" in problem
        with pytest.raises(safefiles.UnsafeDir):
            safefiles.prepare_dir(str(holder / "acct"))
        assert not (holder / "acct").exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="chown to another user needs root")
def test_foreign_owners_are_refused(tmp_path):
    holder = tmp_path / "theirs"
    holder.mkdir()
    os.chown(holder, 65534, 65534)
    assert "belongs to another user" in safefiles.trust_problem(str(holder / "acct"))
    mine = tmp_path / "mine"
    (mine / "acct").mkdir(parents=True)
    os.chown(mine / "acct", 65534, 65534)
    assert "belongs to another user" in safefiles.trust_problem(str(mine / "acct"))


def test_a_link_in_place_of_the_account_dir_is_refused(tmp_path):
    real = tmp_path / "elsewhere"
    real.mkdir()
    (tmp_path / "acct").symlink_to(real)
    assert "not a directory" in safefiles.trust_problem(str(tmp_path / "acct"))


def test_write_atomic_replaces_a_planted_link_and_writes_0600(tmp_path):
    victim = tmp_path / "victim"
    victim.write_text("precious")
    (tmp_path / "f").symlink_to(victim)
    old = os.umask(0)
    try:
        safefiles.write_atomic(str(tmp_path / "f"), b"new")
    finally:
        os.umask(old)
    assert victim.read_text() == "precious"
    assert (tmp_path / "f").read_bytes() == b"new" and mode(tmp_path / "f") == 0o600


def test_write_atomic_removes_its_temp_file_on_a_full_disk(tmp_path, monkeypatch):
    tmp_path = tmp_path / "d"
    tmp_path.mkdir()

    def full(fd, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(safefiles.oslite, "write", full)
    with pytest.raises(OSError):
        safefiles.write_atomic(str(tmp_path / "f"), b"x")
    monkeypatch.undo()
    assert os.listdir(tmp_path) == []
    with pytest.raises(store.CacheError, match="No space left"):
        monkeypatch.setattr(safefiles.oslite, "write", full)
        store.atomic_write(tmp_path / "g", b"x")


def test_read_regular_refuses_links_fifos_and_big_files(tmp_path):
    (tmp_path / "real").write_bytes(b"ok")
    (tmp_path / "link").symlink_to(tmp_path / "real")
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "big").write_bytes(b"x" * 2048)
    assert safefiles.read_regular(str(tmp_path / "real")) == b"ok"
    assert safefiles.read_regular(str(tmp_path / "link"), follow=True) == b"ok"
    for name, kw in (("link", {}), ("fifo", {}), ("fifo", {"follow": True}), ("big", {"limit": 1024})):
        t = time.monotonic()
        with pytest.raises(OSError):
            safefiles.read_regular(str(tmp_path / name), **kw)
        assert time.monotonic() - t < 10, "a FIFO must not block"  # a blocked open would never return
    with pytest.raises(FileNotFoundError):
        safefiles.read_regular(str(tmp_path / "missing"))


def test_sweep_removes_only_stale_temp_files(tmp_path):
    tmp_path = tmp_path / "d"
    tmp_path.mkdir()
    old = time.time() - 3600
    names = {".snapshot.json.1.ab.tmp": True, ".harvest.x1y2": True, ".line.bin.2.cd.tmp": False,
             "snapshot.json": False, "notes.tmp": False}
    for name, stale in names.items():
        (tmp_path / name).write_text("x")
        if stale or name in ("snapshot.json", "notes.tmp"):
            os.utime(tmp_path / name, (old, old))
    assert safefiles.sweep_temps(str(tmp_path)) == 2
    assert sorted(os.listdir(tmp_path)) == sorted(n for n, stale in names.items() if not stale)


def test_repair_clears_whatever_is_not_a_regular_file(tmp_path):
    (tmp_path / "fetch.lock").mkdir()
    (tmp_path / "fetch.lock" / "x").write_text("x")
    (tmp_path / "spawn.stamp").symlink_to("/etc/passwd")
    (tmp_path / "snapshot.json").write_text("{}")
    assert sorted(safefiles.repair(str(tmp_path), ("fetch.lock", "spawn.stamp", "snapshot.json", "gone"))) == [
        "fetch.lock", "spawn.stamp"]
    assert not (tmp_path / "fetch.lock").exists() and not (tmp_path / "spawn.stamp").is_symlink()
    assert (tmp_path / "snapshot.json").read_text() == "{}"


def test_update_marshal_round_trip_and_busy_lock(tmp_path):
    import fcntl

    path = str(tmp_path / "h.bin")
    assert safefiles.update_marshal(path, lambda old: {"n": (old or {}).get("n", 0) + 1})
    assert safefiles.update_marshal(path, lambda old: {"n": old["n"] + 1})
    assert safefiles.load_marshal(path) == {"n": 2}
    assert safefiles.update_marshal(path, lambda old: None) is False  # no change asked
    with open(path + ".lock", "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        # The lock stays held throughout: returning at all is giving up at the timeout.
        assert safefiles.update_marshal(path, lambda old: {"n": 99}, timeout=0.1) is False
    assert safefiles.load_marshal(path) == {"n": 2}


VIEW = {"v": 1, "mode": "code", "fetched": 1795608406.34, "status": "ok", "error": None, "cred_sig": "1:2",
        "windows": [("five_hour", None, 78.0, 1795611400.0), ("scoped", "Opus", 95.5, None)], "big": 2 ** 80,
        "neg": -(2 ** 70), "b": b"\x00\xff", "t": True, "f": False, "n": [[], {}, ()], "u": "é✓🚀" * 40}


def test_marshal_plausible_accepts_what_we_write():
    for value in (VIEW, [], {}, (), "", None, 1.5, 2 ** 200, [[[[]]]]):
        data = marshal.dumps(value, 4)
        assert safefiles.marshal_plausible(data), value
        assert safefiles.loads_marshal(data) == value


def test_our_framed_marshal_files_round_trip_and_any_cut_or_changed_byte_is_refused():
    """What our writers write (``dumps_marshal``): read back as written; a cut or any one byte
    changed (the sizes marshal would trust among them) is refused before marshal sees it."""
    for value in (VIEW, [], {}, (), "", None, 1.5, 2 ** 200, [[[[]]]]):
        assert safefiles.loads_marshal(safefiles.dumps_marshal(value)) == value, value
    data = safefiles.dumps_marshal(VIEW)
    assert data.startswith(safefiles.FRAME) and data[15:] == marshal.dumps(VIEW, 4)
    for cut in range(len(data)):
        assert safefiles.loads_marshal(data[:cut]) is None, cut
    assert safefiles.loads_marshal(data + b"\0") is None  # longer than written
    for at in range(len(safefiles.FRAME), len(data)):
        for flip in (0x01, 0x80, 0xFF):
            changed = bytearray(data)
            changed[at] ^= flip
            assert safefiles.loads_marshal(bytes(changed)) is None, (at, flip)
    # A frame whose sizes are right but whose body declares 2**31 items: the checksum says no.
    bomb = b"[\xff\xff\xff\x7f"
    assert safefiles.loads_marshal(safefiles.FRAME + len(bomb).to_bytes(4, "little") + b"\0" * 8 + bomb) is None
    with pytest.raises(ValueError):
        safefiles.dumps_marshal(object())  # marshal cannot hold it: the writers catch this


def test_marshal_with_lying_sizes_is_refused_at_once():
    data = marshal.dumps(VIEW, 4)
    for cut in range(len(data)):  # every truncation
        assert safefiles.loads_marshal(data[:cut]) is None
    for bomb in (b"[\xff\xff\xff\x7f", b"(\xff\xff\xff\x7f", b"s\xff\xff\xff\x7f", b"\xdb\xff\xff\xff\x7f",
                 b"l\xff\xff\xff\x7f", b"{" * 10000, b"r\x00\x00\x00\x00", marshal.dumps(compile("1", "x", "eval"))):
        # Refused before marshal allocates what the sizes claim (GBs): a small peak, not a short time.
        tracemalloc.start()
        try:
            assert safefiles.loads_marshal(bomb) is None
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert peak < 1 << 20, (bomb[:8], peak)


def test_spawn_claim_repairs_a_broken_stamp_and_debounces(tmp_path):
    acct = tmp_path / "acct"
    acct.mkdir(mode=0o700)
    (acct / "spawn.stamp").mkdir()
    (acct / "spawn.stamp" / "junk").write_text("x")
    now = time.time()
    assert spawn.claim(str(acct), now, 10) is None, "repaired and claimed"
    assert (acct / "spawn.stamp").is_file()
    assert spawn.claim(str(acct), now + 1, 10) == "debounced"
    assert spawn.claim(str(acct), now + 11, 10) is None


def test_writable_problem_names_a_full_disk(tmp_path, monkeypatch):
    acct = tmp_path / "cache" / "acct"
    assert store.writable_problem(acct) is None  # nothing yet: created by the first fetch
    safefiles.prepare_dir(str(acct))
    assert store.writable_problem(acct) is None
    assert os.listdir(acct) == []

    def full(fd, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(safefiles.oslite, "write", full)
    assert "No space left on device" in store.writable_problem(acct)
    monkeypatch.undo()
    assert os.listdir(acct) == []


def test_spawn_hold(tmp_path):
    acct = tmp_path / "acct"
    acct.mkdir(mode=0o700)
    now = time.time()
    assert spawn.hold(str(acct), now + 120, now)
    assert spawn.claim(str(acct), now + 60, 10) == "debounced", "held"
    assert spawn.hold(str(acct), now + 30, now), "a shorter hold..."
    assert spawn.claim(str(acct), now + 60, 10) == "debounced", "...never shortens a longer one"
    assert spawn.claim(str(acct), now + 131, 10) is None, "the hold ends (and the debounce after it)"
    assert spawn.hold(str(acct), now + 10 ** 9, now)
    assert (acct / "spawn.stamp").stat().st_mtime <= now + spawn.HOLD_MAX + 1, "an hour at most"
    assert not spawn.hold(str(acct), now - 5, now)
    # a stamp merely dated ahead (the clock went back) is not a hold
    (acct / "spawn.stamp").unlink()
    (acct / "spawn.stamp").write_text("")
    os.utime(acct / "spawn.stamp", (now + 600, now + 600))
    assert spawn.claim(str(acct), now, 10) is None
