"""The fast launch ``claude-usage setup`` writes (``statusline.commands.launcher``).

Checked the way users get it: ``setup`` writes the launcher and names it in Claude Code's
settings and Starship's config; it prints what the console script prints; it keeps working
through an upgrade in place; and it falls back to the console script when the package is no
longer where it says. Real installs (a venv and ``pip install --user``, from a built wheel, not
editable) run in temporary folders.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import write_credentials
from helpers import BIN, LINE, cli, fetch

from statusline.commands import claude_settings, launcher, precompiled

REPO = Path(__file__).resolve().parents[2]


def fast(home: Path) -> Path:
    return home / ".local" / "share" / "claude-usage" / "bin" / "claude-usage-line"


def test_setup_claude_code_names_the_fast_launch_and_it_prints_the_line(api, home: Path) -> None:
    write_credentials(home)
    assert fetch().returncode == 0
    r = cli("setup", "claude-code", "--install")
    assert r.returncode == 0, r.stderr
    settings = json.loads((home / ".claude" / "settings.json").read_text())
    fallback = fast(home).with_name("claude-usage-line-fallback")
    compiled = fast(home).with_name("claude-usage-line.pyc")
    python = launcher.interpreter(fast(home).read_text())  # the one its #! line names
    assert settings["statusLine"]["command"] == f"{python} -IS {compiled} --claude-code || {fallback} --claude-code"
    first = fast(home).read_text().splitlines()[0]
    # This install's interpreter, with no site, no user site, no PYTHON* variables:
    assert first.startswith(f"#!{BIN / 'python'}") and first.endswith(" -IS"), first
    ours = subprocess.run([str(fast(home)), "--format", "plain", "--no-refresh"], capture_output=True, text=True)
    console = subprocess.run([LINE, "--format", "plain", "--no-refresh"], capture_output=True, text=True)
    assert ours.returncode == 0 and ours.stdout == console.stdout and "5h 78%" in ours.stdout, ours
    before = fast(home).stat().st_mtime_ns
    assert cli("setup", "claude-code", "--install").returncode == 0 and fast(home).stat().st_mtime_ns == before  # no rewrite


def test_the_command_runs_the_launcher_compiled_and_setup_keeps_it_this_launchers(api, home: Path) -> None:
    """Claude Code's command starts the launcher as a ``.pyc`` (nothing to compile at each start):
    the same code as its text, rewritten by setup when it is not this text's, taken with it."""
    write_credentials(home)
    assert fetch().returncode == 0
    assert cli("setup", "claude-code", "--install").returncode == 0
    command = json.loads((home / ".claude" / "settings.json").read_text())["statusLine"]["command"]
    compiled = fast(home).with_name("claude-usage-line.pyc")
    assert compiled.stat().st_mode & 0o777 == 0o600 and launcher.compiled_current(fast(home), fast(home).read_text())
    launch = subprocess.run(["/bin/sh", "-c", command.split(" || ")[0]], capture_output=True, text=True, input="{}")
    text = subprocess.run([str(fast(home)), "--claude-code"], capture_output=True, text=True, input="{}")
    assert launch.returncode == 0 and launch.stdout == text.stdout and "5h 78%" in launch.stdout, launch
    # The text is what runs from the .pyc: a .pyc of another text is not current, and setup writes it anew
    other = launcher.compiled(fast(home).read_text().replace("gc.disable()", "gc.disable()\nprint('old')"), fast(home))
    compiled.write_bytes(other)
    assert not launcher.compiled_current(fast(home), fast(home).read_text())
    assert launcher.current() is None
    r = cli("setup", "claude-code", "--install")
    assert r.returncode == 0 and launcher.compiled_current(fast(home), fast(home).read_text()), r.stderr
    compiled.write_bytes(b"\0" * 40)  # garbled: Python refuses it, and the fallback prints the line
    garbled = subprocess.run(["/bin/sh", "-c", command], capture_output=True, text=True, input="{}",
                             env=dict(os.environ, PATH=f"{BIN}:/usr/bin:/bin"))  # the console script found
    assert garbled.returncode == 0 and "5h 78%" in garbled.stdout, garbled
    assert cli("setup", "claude-code", "--install").returncode == 0
    assert cli("setup", "claude-code", "--uninstall").returncode == 0 and not compiled.exists()


def test_a_command_from_before_the_compiled_launch_is_ours_and_becomes_it() -> None:
    """Settings written by an earlier setup name the launcher's path: still ours, flags kept."""
    old = {"statusLine": {"type": "command", "command": "/d/claude-usage-line --claude-code --show model || "
                                                          "/d/claude-usage-line-fallback --claude-code --show model"}}
    now = "/py/python -IS /d/claude-usage-line.pyc --claude-code || /d/claude-usage-line-fallback --claude-code"
    render = lambda args: now.replace("--claude-code", " ".join(["--claude-code", *args]))  # noqa: E731
    assert claude_settings.our_args(now) == [] and claude_settings.our_args(old["statusLine"]["command"]) == ["--show", "model"]
    assert claude_settings.updated(old, now, render=render)["statusLine"]["command"] == render(["--show", "model"])
    for theirs in ("/py/python /d/claude-usage-line.pyc --claude-code",  # no -IS: not what setup writes
                   "/py/python -IS /d/other.pyc --claude-code",
                   "/py/python -IS /d/claude-usage-line.pyc --claude-code || /py/python -IS /d/x --claude-code"):
        assert claude_settings.our_args(theirs) is None, theirs


def test_a_console_script_command_becomes_the_fast_launch_with_its_flags_and_chain_kept() -> None:
    old = {"statusLine": {"type": "command", "command": "/old/bin/claude-usage-line --claude-code --show model"
                          " --chain 'echo hi'"}}
    new = claude_settings.updated(old, "/fast/claude-usage-line --claude-code")
    assert new["statusLine"]["command"] == "/fast/claude-usage-line --claude-code --show model --chain 'echo hi'"
    wrapped = {"statusLine": {"command": "env X=1 claude-usage-line --claude-code"}}  # the user's own: kept
    assert claude_settings.updated(wrapped, "/fast/claude-usage-line --claude-code")["statusLine"]["command"] \
        == "env X=1 claude-usage-line --claude-code"


def test_the_launcher_runs_the_console_script_when_the_package_is_gone(tmp_path: Path, warm) -> None:
    text = launcher.text(sys.executable, str(tmp_path / "no-such-site-packages"), LINE)
    assert text is not None
    moved = tmp_path / "claude-usage-line"
    moved.write_text(text)
    moved.chmod(0o755)
    r = subprocess.run([str(moved), "--format", "plain", "--no-refresh"], capture_output=True, text=True)
    assert r.returncode == 0 and "5h 78%" in r.stdout, r  # the console script answered
    nothing = launcher.text(sys.executable, str(tmp_path / "gone"), str(tmp_path / "no-script"))
    assert nothing is not None
    moved.write_text(nothing)
    r = subprocess.run([str(moved), "--format", "plain"], capture_output=True, text=True,
                       env=dict(os.environ, PATH=str(tmp_path / "empty")))
    assert r.returncode == 0 and r.stdout == "claude: reinstall claude-usage-line\n"  # a line that says what to do


@pytest.mark.parametrize("python", ["/opt/my python/bin/python3", "/" + "x" * 130 + "/python3", "python3", ""])
def test_no_fast_launch_where_a_shebang_cannot_carry_the_interpreter(python: str) -> None:
    assert launcher.text(python, "/site", "/bin/claude-usage-line") is None


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One wheel of this checkout, built once for the real installs below: from a copy of the
    tracked files (a build writes build/ and *.egg-info beside its sources), with a HOME and
    caches of its own."""
    import shutil

    where = tmp_path_factory.mktemp("wheel")
    src = where / "src"
    listed = subprocess.run(["git", "-C", str(REPO), "ls-files", "-z"], capture_output=True, check=True).stdout
    for rel in filter(None, listed.decode().split("\0")):
        if (REPO / rel).is_file():
            (src / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / rel, src / rel)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "CLAUDE_", "ANTHROPIC_"))}
    env.update(HOME=str(where / "home"), PIP_CACHE_DIR=str(where / "pip-cache"))
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(where), str(src)],
                       capture_output=True, text=True, timeout=600, env=env)
    assert r.returncode == 0, r.stderr
    return next(where.glob("claude_usage_line-*.whl"))


def _deps_pth(site: Path) -> None:
    """The runtime dependencies from the test venv, through a .pth (processed by ``site``, so
    the console script and the CLI see them, and the fast launch, which has no site, doesn't)."""
    import requests

    (site / "zz-test-deps.pth").write_text(str(Path(requests.__file__).parent.parent) + "\n")


@pytest.mark.scenario
def test_real_venv_install_upgrade_in_place_and_uninstall(tmp_path: Path, home: Path, warm, wheel: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=300)
    # This venv's own pip, driving the new venv: no ensurepip run, the same install.
    pip = [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "-q", "--no-deps",
           "--no-index"]
    subprocess.run([*pip, str(wheel)], check=True, timeout=300)
    site = Path(subprocess.run([str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                               capture_output=True, text=True, check=True).stdout.strip())
    _deps_pth(site)
    r = subprocess.run([str(venv / "bin" / "claude-usage"), "setup", "claude-code", "--install"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    text = fast(home).read_text()
    assert text.startswith(f"#!{venv / 'bin' / 'python'} -IS\n") and repr(str(site)) in text
    command = json.loads((home / ".claude" / "settings.json").read_text())["statusLine"]["command"]
    assert command.startswith(f"{venv / 'bin' / 'python'} -IS {fast(home)}.pyc --claude-code || "), command

    def shown() -> subprocess.CompletedProcess[str]:
        text = subprocess.run([str(fast(home)), "--format", "plain", "--no-refresh"], capture_output=True, text=True)
        compiled = subprocess.run([str(venv / "bin" / "python"), "-IS", f"{fast(home)}.pyc", "--format", "plain",
                                   "--no-refresh"], capture_output=True, text=True)
        assert compiled.stdout == text.stdout and compiled.returncode == text.returncode, (compiled, text)
        return text

    code = str(launcher.code_path(fast(home)))
    assert "5h 78%" in shown().stdout and precompiled.load(code, str(site)) is not None  # the hot path, precompiled
    subprocess.run([*pip, "--force-reinstall", str(wheel)], check=True, timeout=300)  # an upgrade in place
    assert "5h 78%" in shown().stdout and fast(home).read_text() == text
    # New sources: the precompiled file is not used until setup writes it again.
    assert precompiled.load(code, str(site)) is None
    r = subprocess.run([str(venv / "bin" / "claude-usage"), "setup", "claude-code", "--install"], capture_output=True, text=True)
    assert r.returncode == 0 and precompiled.load(code, str(site)) is not None, r.stderr
    assert "5h 78%" in shown().stdout
    subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "uninstall", "-q", "-y",
                    "claude-usage-line"], check=True, timeout=300)
    gone = subprocess.run([str(fast(home)), "--format", "plain"], capture_output=True, text=True,
                          env=dict(os.environ, PATH=str(tmp_path / "empty")))
    assert gone.returncode == 0 and gone.stdout == "claude: reinstall claude-usage-line\n", gone  # no traceback


@pytest.mark.scenario
def test_real_pip_install_user(tmp_path: Path, home: Path, warm, wheel: Path) -> None:
    base = getattr(sys, "_base_executable", "") or sys.executable
    if sys.prefix == sys.base_prefix or not os.access(base, os.X_OK):
        pytest.skip("needs a venv's base interpreter")
    userbase = tmp_path / "userbase"
    env = dict(os.environ, PYTHONUSERBASE=str(userbase), PIP_BREAK_SYSTEM_PACKAGES="1")
    r = subprocess.run([base, "-m", "pip", "install", "-q", "--user", "--no-deps", "--no-index", str(wheel)],
                       capture_output=True, text=True, env=env, timeout=300)
    if r.returncode != 0 and "No module named pip" in r.stderr:
        pytest.skip("the base interpreter has no pip")
    assert r.returncode == 0, r.stderr
    site = Path(subprocess.run([base, "-c", "import site; print(site.getusersitepackages())"], env=env,
                               capture_output=True, text=True, check=True).stdout.strip())
    _deps_pth(site)
    r = subprocess.run([str(userbase / "bin" / "claude-usage"), "setup", "claude-code", "--install"], capture_output=True,
                       text=True, env=env)
    assert r.returncode == 0, r.stderr
    assert repr(str(site)) in fast(home).read_text()
    clean = {k: v for k, v in os.environ.items() if k != "PYTHONUSERBASE"}  # the prompt's environment
    r = subprocess.run([str(fast(home)), "--format", "plain", "--no-refresh"], capture_output=True, text=True,
                       env=clean)
    assert r.returncode == 0 and "5h 78%" in r.stdout, r


def test_the_plugins_find_the_fast_launch(home: Path) -> None:
    """tmux, zsh, bash and fish look for it where ``launcher.path`` puts it, and know its
    fallback (each is run in the real program: tests/integrations/test_shell_rule.py and
    test_tmux_launch.py)."""
    for plugin in ("tmux/claude-usage.tmux", "zsh/claude-usage.plugin.zsh", "bash/claude-usage.bash",
                   "fish/claude-usage.fish"):
        text = (REPO / "integrations" / plugin).read_text()
        assert "$HOME/.local/share" in text and "/claude-usage/bin" in text and "-fallback" in text, plugin
    assert launcher.path({"HOME": str(home)}) == fast(home)
    assert launcher.path({"HOME": str(home), "XDG_DATA_HOME": "rel"}) == fast(home)  # relative: ignored


def test_a_fast_launch_whose_python_is_gone_still_prints_a_line(warm, home: Path, tmp_path: Path) -> None:
    """#27.2: the venv behind the fast launch removed, its ``#!`` names a Python that is not there:
    the kernel cannot start it (the shell says 127, "not found"). The command setup wrote runs
    its fallback instead: a claude-usage-line still installed, else a line saying what to do."""
    assert cli("setup", "claude-code", "--install").returncode == 0
    command = json.loads((home / ".claude" / "settings.json").read_text())["statusLine"]["command"]
    text = fast(home).read_text()
    python = launcher.interpreter(text)
    assert python and command.startswith(python + " -IS ")
    fast(home).write_text(text.replace(text.split("\n", 1)[0], f"#!{tmp_path / 'gone' / 'python'} -IS", 1))
    command = command.replace(python, str(tmp_path / "gone" / "python"), 1)  # as setup wrote it for that Python
    for dead_launch in (f"{fast(home)} --claude-code", command.split(" || ")[0]):  # the plugins', Claude Code's
        dead = subprocess.run(["/bin/sh", "-c", dead_launch], capture_output=True, text=True, input="{}")
        assert dead.returncode == 127 and dead.stdout == "", dead  # what Claude Code showed before: a blank line
    empty = tmp_path / "empty"
    empty.mkdir()
    for path, shown in ((f"{BIN}:/usr/bin:/bin", "5h 78%"), ("/usr/bin:/bin", "claude: reinstall claude-usage-line")):
        r = subprocess.run(["/bin/sh", "-c", command], capture_output=True, text=True, input="{}",
                           env=dict(os.environ, PATH=path))
        assert r.returncode == 0 and shown in r.stdout, (path, r)
