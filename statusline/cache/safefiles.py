"""Private files in the cache, cheap enough for the hot path: only os, sys, time, marshal
(and fcntl, imported by ``Locked``, the one place that locks).

The rules every writer of the cache follows, in one place:

- **Create only what is ours, set modes only on what we create.** Directories we create are
  0700 and files 0600 whatever the umask (an explicit chmod after creating). A directory the
  user named (``CLAUDE_USAGE_CACHE_DIR``, ``$HOME``, a shared 1777 dir) is never chmod'ed.
- **Trust nothing someone else controls.** The account directory must be ours; the directory
  holding it must be ours or root's, and not writable by others unless it has the sticky bit
  (like ``/tmp``). Anything else is refused with a sentence saying why (``trust_problem``).
- **Never follow a planted link.** Every file we open is opened with ``O_NOFOLLOW``; files we
  read must be regular files (a FIFO would hang us) of a bounded size.
- **Nothing half-written, nothing left over.** Writes go to a ``.NAME.*.tmp`` file beside the
  target and are renamed over it; the temp file is removed on every error path (a full disk
  included), and ``sweep_temps`` removes ones left by a process that was killed.
- **Read only our own files.** ``read_own`` is the opener of every cache file: no link, no
  FIFO (non-blocking open, regular files only), a size cap, and owned by us. A cache root
  shared with others (``fastpaths.shared``) is never used itself: we work in ``user-<uid>``.
- **Read-modify-write under a lock.** ``Locked`` is the one ``flock`` every writer takes
  (``update_marshal``, the history, the notification state) around a read, change and
  replace, so concurrent writers lose nothing.
"""

import marshal
import sys
import time

from statusline.cache import oslite

DIR_MODE = 0o700
FILE_MODE = 0o600
TEMP_SUFFIX = ".tmp"
STALE_TEMP_S = 600.0  # a temp file older than this was left by a killed process
READ_LIMIT = 1 << 20  # no cache file of ours is anywhere near 1 MiB
LOCK_TIMEOUT_S = 0.5
MARSHAL_VERSION = 4

_NOFOLLOW = getattr(oslite, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(oslite, "O_CLOEXEC", 0)
_NONBLOCK = getattr(oslite, "O_NONBLOCK", 0)
_S_ISVTX = 0o1000


class UnsafeDir(OSError):
    """A cache directory we must not use; the message says why and what to do."""


def _is_dir(st):
    return st.st_mode & oslite.S_IFMT == oslite.S_IFDIR


def is_regular(st):
    return st.st_mode & oslite.S_IFMT == oslite.S_IFREG


def _euid():
    return oslite.geteuid() if hasattr(oslite, "geteuid") else None


def mkdir_private(path):
    """Create ``path`` 0700 (whatever the umask); True if we created it, False if it was there.

    An existing non-directory raises ``FileExistsError``. Never changes an existing directory.
    """
    try:
        oslite.mkdir(path, DIR_MODE)
    except FileExistsError:
        if not oslite.isdir(path):
            raise
        return False
    try:
        oslite.chmod(path, DIR_MODE)  # the umask may have taken bits away (umask 0700 gives 0000)
    except OSError:
        pass
    return True


def makedirs_private(path):
    """Create ``path`` and any missing parents, each one we create 0700; existing ones untouched.

    Raises ``UnsafeDir`` when ``path`` is another user's directory: every writer puts its files
    in the directory it gets back from here, and none of ours belongs in someone else's (a
    ``user-<uid>`` folder another user made first in a shared root, say)."""
    path = oslite.abspath(path)
    missing = []
    p = path
    while not oslite.isdir(p):
        missing.append(p)
        parent = oslite.dirname(p)
        if parent == p:
            break
        p = parent
    for p in reversed(missing):
        mkdir_private(p)
    uid = _euid()
    if uid is not None and not missing:
        owner = oslite.stat(path).st_uid
        if owner != uid:
            raise UnsafeDir(_theirs(path, owner))


CACHE_ELSEWHERE = "set CLAUDE_USAGE_CACHE_DIR to a directory of yours"


def _theirs(path, owner, what="cache dir", elsewhere=CACHE_ELSEWHERE):
    return "%s %s belongs to another user (uid %d): remove it or %s" % (what, path, owner, elsewhere)


def trust_problem(acct, what="cache dir", elsewhere=CACHE_ELSEWHERE):
    """Why the directory ``acct`` (or the directory holding it) is unsafe, or None: the one
    rule for "ours" on every folder we write to, read from or run from (the cache's account
    directories, the fast launch's folder).

    The holder (the cache root, perhaps a directory the user named) must belong to us or to
    root and must not be writable by others unless sticky; ``acct`` itself must be a real
    directory (not a link) of ours. A loose mode on our own directory is tightened, since it
    is ours by name; the holder is never chmod'ed. ``what`` names the folder in the sentence,
    ``elsewhere`` says how to use another one.
    """
    uid = _euid()
    holder = oslite.dirname(oslite.abspath(acct))
    try:
        st = oslite.stat(holder)
    except OSError as exc:
        return "cannot use %s %s: %s" % (what, holder, exc.strerror or exc)
    if uid is not None and st.st_uid not in (uid, 0):
        return "%s %s belongs to another user (uid %d): %s" % (what, holder, st.st_uid, elsewhere)
    if st.st_mode & 0o022 and not st.st_mode & _S_ISVTX:
        return ("%s %s is writable by other users (mode %03o) without the sticky bit: "
                "run `chmod go-w %s` or %s" % (what, holder, st.st_mode & 0o777, holder, elsewhere))
    try:
        st = oslite.lstat(acct)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return "cannot use %s %s: %s" % (what, acct, exc.strerror or exc)
    if not _is_dir(st):
        return "%s %s is not a directory (a link or a file is in its place): remove it" % (what, acct)
    if uid is not None and st.st_uid != uid:
        return _theirs(acct, st.st_uid, what, elsewhere)
    if st.st_mode & 0o077:
        try:
            oslite.chmod(acct, DIR_MODE)
        except OSError as exc:
            return "cannot make %s %s private: %s" % (what, acct, exc.strerror or exc)
    return None


def prepare_dir(acct):
    """Create the account directory (and missing parents, 0700) and check it is safe.

    Raises ``UnsafeDir`` with a sentence safe to show, or ``OSError`` when it cannot be created.
    """
    problem = trust_problem(acct) if oslite.isdir(oslite.dirname(oslite.abspath(acct))) else None
    if problem:
        raise UnsafeDir(problem)
    makedirs_private(acct)
    problem = trust_problem(acct)
    if problem:
        raise UnsafeDir(problem)
    return acct


def clear_path(path):
    """Free the name ``path``: remove a file, a link or an empty directory there, or move a
    directory with contents aside (``NAME.broken-…``). True when the name is free."""
    try:
        oslite.unlink(path)
        return True
    except FileNotFoundError:
        return True
    except (IsADirectoryError, PermissionError):
        pass
    except OSError:
        return False
    try:
        oslite.rmdir(path)
        return True
    except OSError:
        pass
    try:
        oslite.rename(path, "%s.broken-%d-%s" % (path, oslite.getpid(), oslite.urandom(3).hex()))
        return True
    except OSError:
        return False


def repair(directory, names):
    """Make sure each of ``names`` in ``directory`` is a regular file or absent: whatever else
    sits there (a directory, a link, a FIFO) is cleared. Returns the names repaired."""
    fixed = []
    for name in names:
        path = oslite.join(directory, name)
        try:
            st = oslite.lstat(path)
        except OSError:
            continue
        if not is_regular(st) and clear_path(path):
            fixed.append(name)
    return fixed


def open_nofollow(path, flags, mode=FILE_MODE):
    """``os.open`` that refuses a symlink at ``path`` (ELOOP) and never leaks into children."""
    return oslite.open(path, flags | _NOFOLLOW | _CLOEXEC, mode)


def read_regular(path, limit=READ_LIMIT, follow=False, seen=None):
    """The bytes of a regular file, refusing FIFOs, devices and files over ``limit``.

    A link is refused too unless ``follow`` (files of other programs, such as Claude Code's
    credentials, may be links a dotfile manager made). The open never blocks (a FIFO is
    seen by ``fstat``, not waited on). ``seen``, a list, receives the file's ``stat``.
    Raises ``FileNotFoundError`` when missing and ``OSError`` for anything refused.
    """
    fd, st = _open_regular(path, follow)
    try:
        if seen is not None:
            seen.append(st)
        if st.st_size > limit:
            raise OSError(27, "file too large (%d bytes)" % st.st_size, path)
        chunks = []
        left = limit + 1
        while left > 0:
            chunk = oslite.read(fd, min(left, 65536))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
        if len(data) > limit:
            raise OSError(27, "file too large", path)
        return data
    finally:
        oslite.close(fd)


def _regular(fd, path):
    """The ``stat`` of the open ``fd``; closes it and raises OSError unless it is a regular file."""
    try:
        st = oslite.fstat(fd)
        if not is_regular(st):
            raise OSError(22, "not a regular file", path)
    except BaseException:
        oslite.close(fd)
        raise
    return st


def _open_regular(path, follow):
    """(fd, stat) of a regular file opened read-only without blocking; OSError for anything else."""
    flags = oslite.O_RDONLY | _NONBLOCK | _CLOEXEC
    fd = oslite.open(path, flags) if follow else open_nofollow(path, flags)
    return fd, _regular(fd, path)


def read_head(path, size, follow=True):
    """The first ``size`` bytes of a regular file (a database's header, say), by the same rules
    as ``read_regular``; the rest of the file may be any length."""
    fd, _ = _open_regular(path, follow)
    try:
        return oslite.read(fd, size)
    finally:
        oslite.close(fd)


def read_own(path, limit=READ_LIMIT):
    """``read_regular`` for a file of ours: also refused (``OSError``) when another user owns
    it. The one opener of every file in the cache (line.bin, claude-code.version, budget.json...)."""
    seen = []
    data = read_regular(path, limit, seen=seen)
    uid = _euid()
    if uid is not None and seen and seen[0].st_uid != uid:
        raise OSError(1, "file of another user (uid %d)" % seen[0].st_uid, path)
    return data


def temp_name(path):
    """A fresh temp name beside ``path``: ``.NAME.<pid>.<random>.tmp`` (swept when stale)."""
    d, name = oslite.split(path)
    return oslite.join(d, ".%s.%d.%s%s" % (name, oslite.getpid(), oslite.urandom(4).hex(), TEMP_SUFFIX))


def write_atomic(path, data, sync=True):
    """Replace ``path`` with ``data``: a 0600 temp file beside it, then a rename.

    A reader sees the old file or the new one, never half of one; a link planted at ``path``
    is replaced, never followed. On any error (a full disk) the temp file is removed and the
    error raised.
    """
    tmp = temp_name(path)
    fd = open_nofollow(tmp, oslite.O_WRONLY | oslite.O_CREAT | oslite.O_EXCL)
    try:
        try:
            oslite.fchmod(fd, FILE_MODE)
            view = memoryview(data)
            while view:
                view = view[oslite.write(fd, view):]
            if sync:
                oslite.fsync(fd)
        finally:
            oslite.close(fd)
        oslite.replace(tmp, path)
    except BaseException:
        try:
            oslite.unlink(tmp)
        except OSError:
            pass
        raise


def append_fd(path):
    """An fd appending to ``path`` (created 0600), refusing a link and anything but a regular
    file: a FIFO in its place is not waited on (non-blocking open) but refused; for logs."""
    fd = open_nofollow(path, oslite.O_WRONLY | oslite.O_CREAT | oslite.O_APPEND | _NONBLOCK)
    _regular(fd, path)
    return fd


def sweep_temps(directory, now=None, older_than=STALE_TEMP_S):
    """Remove our temp files older than ``older_than`` seconds (left by a killed process).

    Ours are ``.NAME…tmp`` and, from older versions of the hook, ``.harvest.*``. Returns
    how many were removed; never raises.
    """
    now = time.time() if now is None else now
    removed = 0
    try:
        names = oslite.listdir(directory)
    except OSError:
        return 0
    for name in names:
        if not name.startswith(".") or not (name.endswith(TEMP_SUFFIX) or name.startswith(".harvest.")):
            continue
        path = oslite.join(directory, name)
        try:
            st = oslite.lstat(path)
            if is_regular(st) and now - st.st_mtime > older_than:
                oslite.unlink(path)
                removed += 1
        except OSError:
            pass
    return removed


# marshal type codes of the plain values our files hold; anything else (code objects, sets,
# complex numbers...) is not ours
_FIXED = {ord("0"): 0, ord("N"): 0, ord("F"): 0, ord("T"): 0, ord("i"): 4, ord("g"): 8}
_SIZED = {ord("a"), ord("A"), ord("u"), ord("t"), ord("s")}  # 4-byte length, then the bytes
_SHORT = {ord("z"), ord("Z")}  # 1-byte length, then the bytes
_FLAG_REF = 0x80
MARSHAL_DEPTH = 32


# Our marshal files are framed: FRAME, the body's length (4 bytes) and its checksum (8 bytes, both
# little-endian), then the body. No marshal starts with a 0 byte, so a file from before the frame
# is told apart, and read after ``marshal_plausible``'s walk.
FRAME = b"\x00cu"
_FRAME_HEAD = len(FRAME) + 12
_CHECK_MOD = (1 << 61) - 1  # a prime: every byte of the body moves the checksum


def _checksum(body):
    """The body read as one integer, modulo a prime: computed by ``int`` at C speed, and any cut
    or garbled byte (the lengths marshal would trust among them) changes it."""
    return int.from_bytes(body, "little") % _CHECK_MOD


def dumps_marshal(value):
    """``marshal.dumps`` of plain values, framed for ``loads_marshal``: what every marshal file of
    ours holds. Raises ValueError for a value marshal cannot hold."""
    body = marshal.dumps(value, MARSHAL_VERSION)
    return FRAME + len(body).to_bytes(4, "little") + _checksum(body).to_bytes(8, "little") + body


def marshal_plausible(data):
    """True when ``data`` is marshal of plain values whose every declared size fits the data.

    ``marshal.loads`` trusts the sizes it reads: five garbage bytes declaring a list of 2**31
    items make it allocate 16 GiB and spend a minute. This walk (microseconds for our small
    files) rejects that, and any type our files never hold, before marshal sees the bytes.
    """
    n = len(data)
    refs = 0
    stack = [1]  # values still expected at each depth; -1: a dict, until its '0'
    pos = 0
    while stack:
        if stack[-1] == 0:
            stack.pop()
            continue
        if pos >= n or len(stack) > MARSHAL_DEPTH:
            return False
        code = data[pos]
        pos += 1
        if code & _FLAG_REF:
            refs += 1
            code &= ~_FLAG_REF
        if stack[-1] > 0:
            stack[-1] -= 1
        if code == ord("0"):
            if stack[-1] != -1:
                return False
            stack.pop()  # the end of a dict
            continue
        if code in _FIXED:
            pos += _FIXED[code]
        elif code == ord("r"):
            if pos + 4 > n or int.from_bytes(data[pos:pos + 4], "little") >= refs:
                return False
            pos += 4
        elif code == ord("l"):
            if pos + 4 > n:
                return False
            digits = abs(int.from_bytes(data[pos:pos + 4], "little", signed=True))
            pos += 4 + 2 * digits
        elif code in _SIZED or code in _SHORT:
            width = 1 if code in _SHORT else 4
            if pos + width > n:
                return False
            size = int.from_bytes(data[pos:pos + width], "little", signed=width == 4)
            if size < 0:
                return False
            pos += width + size
        elif code == ord(")"):
            if pos + 1 > n:
                return False
            stack.append(data[pos])
            pos += 1
        elif code in (ord("("), ord("[")):
            if pos + 4 > n:
                return False
            count = int.from_bytes(data[pos:pos + 4], "little", signed=True)
            pos += 4
            if count < 0 or count > n - pos:
                return False
            stack.append(count)
        elif code == ord("{"):
            stack.append(-1)
        else:
            return False
        if pos > n:
            return False
    return pos == n


def loads_marshal(data):
    """The value in bytes from disk (``dumps_marshal``'s, or an unframed file from before):
    None for anything cut short, garbled or implausible. A frame's length and checksum are
    checked before marshal sees the bytes, which costs a fraction of the walk."""
    if data[:len(FRAME)] == FRAME:
        body = memoryview(data)[_FRAME_HEAD:]
        head = data[len(FRAME):_FRAME_HEAD]
        if len(head) != 12 or int.from_bytes(head[:4], "little") != len(body) \
                or int.from_bytes(head[4:], "little") != _checksum(body):
            return None
        data = body
    elif not marshal_plausible(data):
        return None
    try:
        return marshal.loads(data)
    except (EOFError, ValueError, TypeError, MemoryError, RecursionError):
        return None


def load_marshal(path, limit=READ_LIMIT):
    """A marshal'd value from a regular file of ours, or None when missing, refused or garbled."""
    try:
        data = read_own(path, limit)
    except OSError:
        return None
    return loads_marshal(data)


class Locked:
    """An exclusive ``flock`` on the file ``path`` (created 0600, never through a link) for a
    ``with`` block. ``timeout`` None waits as long as it takes; a number tries until it passes,
    then raises ``BlockingIOError``. Closing the file releases the lock."""

    def __init__(self, path, timeout=None):
        self.path, self.timeout, self.fd = path, timeout, -1

    def __enter__(self):
        import fcntl

        self.fd = open_nofollow(self.path, oslite.O_RDWR | oslite.O_CREAT)
        try:
            if self.timeout is None:
                fcntl.flock(self.fd, fcntl.LOCK_EX)
                return self
            end = time.monotonic() + self.timeout
            while True:
                try:
                    fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return self
                except BlockingIOError:
                    if time.monotonic() >= end:
                        raise
                    time.sleep(0.002)
        except BaseException:
            oslite.close(self.fd)
            self.fd = -1
            raise

    def __exit__(self, *exc):
        if self.fd >= 0:
            oslite.close(self.fd)
            self.fd = -1


def update_marshal(path, change, timeout=LOCK_TIMEOUT_S):
    """Read-modify-write the marshal file ``path`` under an exclusive lock on ``path.lock``.

    ``change(old)`` gets the current value (None when missing or garbled) and returns the new
    one, or None to leave the file as it is. Concurrent callers take turns, so none of their
    changes is lost. Returns True when the file was written; False when the lock stayed busy
    past ``timeout`` seconds or the directory is unusable. Raises nothing for file trouble (a
    full disk, a read-only cache): a status line must not die of it. The temp file is never
    left behind.
    """
    try:
        with Locked(path + ".lock", timeout):
            new = change(load_marshal(path))
            if new is None:
                return False
            try:
                write_atomic(path, dumps_marshal(new), sync=False)
            except ValueError:
                return False
            return True
    except OSError:  # the lock file cannot be had, the lock stayed busy, or the write failed
        return False


def untrusted_fds(keep=(0, 1, 2)):
    """Mark every inheritable descriptor beyond ``keep`` close-on-exec: a child we start then
    holds only stdin, stdout and stderr (``$(claude-usage-line 3>&1)`` must not wait for it)."""
    try:
        fds = [int(n) for n in oslite.listdir("/proc/self/fd" if sys.platform.startswith("linux") else "/dev/fd")]
    except (OSError, ValueError):
        fds = list(range(3, 256))
    for fd in fds:
        if fd in keep:
            continue
        try:
            if oslite.get_inheritable(fd):
                oslite.set_inheritable(fd, False)
        except OSError:
            pass
