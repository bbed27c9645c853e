"""oslite, the hot path's os: the same answers as os and os.path, for every input."""

from __future__ import annotations

import os
import posixpath
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import statusline
from statusline.cache import oslite

PARTS = st.sampled_from(["", "/", "//", ".", "..", "a", ".claude", "~", "~root", "x y", "é", "a/", "/b", "c//d"])
PATHS = st.lists(PARTS, max_size=6).map("".join)


@settings(max_examples=400, deadline=None)
@given(PATHS, st.lists(PATHS, max_size=3))
def test_path_functions_agree_with_os_path(p, rest):
    assert oslite.join(p, *rest) == posixpath.join(p, *rest)
    assert oslite.abspath(p) == posixpath.abspath(p)
    assert oslite.expanduser(p) == posixpath.expanduser(p)
    assert oslite.dirname(p) == posixpath.dirname(p)
    assert oslite.split(p) == posixpath.split(p)
    assert oslite.isabs(p) == posixpath.isabs(p)


def test_file_kinds_agree_with_os_path(tmp_path):
    (tmp_path / "f").write_text("x")
    (tmp_path / "d").mkdir()
    os.symlink(tmp_path / "gone", tmp_path / "dangling")
    os.mkfifo(tmp_path / "fifo")
    for name in ("f", "d", "dangling", "fifo", "missing", "f/under-a-file"):
        p = str(tmp_path / name)
        assert (oslite.isdir(p), oslite.isfile(p), oslite.lexists(p)) == \
               (os.path.isdir(p), os.path.isfile(p), os.path.lexists(p)), name


def test_system_calls_are_os_own():
    assert oslite.stat is os.stat and oslite.open is os.open and oslite.posix_spawn is os.posix_spawn


def test_environ_is_os_environ_once_os_is_loaded():
    assert oslite.environ() is os.environ


@pytest.mark.parametrize("value", [b"plain", "caf\u00e9".encode(), b"\xff\xfe not utf-8", b""])
def test_environ_without_os_decodes_as_os_does(value):
    """Under -I -S (os not loaded) the environment is decoded as os decodes it: a value that is
    not UTF-8 keeps its bytes (surrogateescape) rather than failing or being lost."""
    probe = ("import sys; sys.path.insert(0, %r); from statusline.cache import oslite;"
             "v = oslite.environ().get('CU_PROBE'); loaded = 'os' in sys.modules;"
             "import os; print(ascii(v), loaded, v == os.environ.get('CU_PROBE'), sep='|')"
             % str(Path(statusline.__file__).parent.parent))
    env = {k.encode(): v.encode() for k, v in os.environ.items()}
    env[b"CU_PROBE"] = value
    r = subprocess.run([sys.executable, "-I", "-S", "-c", probe], env=env, capture_output=True, text=True)
    want = ascii(value.decode(sys.getfilesystemencoding(), "surrogateescape"))
    assert r.stdout.strip().split("|") == [want, "False", "True"], r.stdout + r.stderr
