"""The suite's isolation and its guard (``tests/guard.py``, ``conftest.isolated_env``), #27.1:
with ``XDG_DATA_HOME`` set, as many desktops set it, the tests wrote a fast launch pointing at
the test venv into the user's own data folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import guard

SET_BY_CONFTEST = {"CLAUDE_USAGE_CACHE_DIR", "CLAUDE_USAGE_API_URL", "CLAUDE_USAGE_HTTP_TIMEOUT",
                   "CLAUDE_USAGE_STATUS_URL"}


def test_no_variable_of_the_person_running_the_suite_reaches_a_test(tmp_path: Path) -> None:
    leaked = [k for k in os.environ if k.startswith(("XDG_", "CLAUDE_", "ANTHROPIC_")) and k not in SET_BY_CONFTEST]
    assert leaked == []
    assert Path(os.environ["HOME"]).is_relative_to(tmp_path)
    assert not Path(os.environ["HOME"]).is_relative_to(guard.real_home())


INNER = '''
import os
from pathlib import Path


def test_writes_where_the_environment_says():
    # No isolation in this inner run: HOME and XDG_DATA_HOME are the guard's decoys.
    target = Path(os.environ["XDG_DATA_HOME"]) / "claude-usage" / "bin"
    target.mkdir(parents=True)
    (target / "claude-usage-line").write_text("#!/venv/bin/python")


def test_writes_outside_its_temp_folders():
    Path(os.environ["OUTSIDE"], "planted").write_text("x")


def test_writes_only_into_its_temp_folder(tmp_path):
    (tmp_path / "fine").write_text("x")
'''


def test_the_guard_fails_a_test_that_writes_outside_its_temp_folders(tmp_path: Path) -> None:
    user_data = tmp_path / "users-own-data"  # what XDG_DATA_HOME says on the person's desktop
    user_data.mkdir()
    outside = guard.public_dir("cu-outside-")
    try:
        (tmp_path / "inner").mkdir()
        (tmp_path / "inner" / "test_inner.py").write_text(INNER)
        env = dict(os.environ, XDG_DATA_HOME=str(user_data), OUTSIDE=str(outside),
                   PYTHONPATH=str(Path(guard.__file__).parent))
        env.pop(guard.DECOY_ENV, None)
        r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "guard", "-p", "no:cacheprovider",
                            "-p", "no:xdist", "-p", "no:randomly", str(tmp_path / "inner")],
                           capture_output=True, text=True, env=env, cwd=tmp_path / "inner", timeout=120)
        out = r.stdout + r.stderr
        assert r.returncode == 1, out
        assert "3 passed, 2 errors" in out, out  # the two failed at teardown, by the guard
        assert "decoy-" in out and "xdg_data_home/claude-usage/bin/claude-usage-line" in out, out
        assert f"written by the test process outside its temp folders: open {outside}/planted" in out, out
        assert list(user_data.iterdir()) == []  # the real folder was never written
    finally:
        import shutil

        shutil.rmtree(outside, ignore_errors=True)
