"""The fast launch's precompiled hot path (``statusline.commands.precompiled``): used only while it
is exactly this install's, and never a reason for a wrong or missing line.

The launcher runs for real, against a copy of the package in a temporary folder, so a test can
change a source and see which code ran.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import LINE

import statusline
from statusline.commands import launcher, precompiled

PACKAGE = Path(statusline.__file__).resolve().parent


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A copy of the package (sources only), as an install in place would hold it."""
    where = tmp_path / "site"
    shutil.copytree(PACKAGE, where / "statusline", ignore=shutil.ignore_patterns("__pycache__"))
    return where


def launch(tmp_path: Path, site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    bin_ = tmp_path / "bin"
    bin_.mkdir(exist_ok=True)
    fast = bin_ / "claude-usage-line"
    fast.write_text(launcher.text(sys.executable, str(site), LINE, str(launcher.code_path(fast))))
    fast.chmod(0o755)
    return subprocess.run([str(fast), *args], capture_output=True, text=True, timeout=30)


def write(tmp_path: Path, data: bytes, mode: int = 0o600) -> Path:
    code = launcher.code_path(tmp_path / "bin" / "claude-usage-line")
    code.parent.mkdir(exist_ok=True)
    code.write_bytes(data)
    code.chmod(mode)
    return code


def same_size_edit(path: Path, old: str, new: str, *, keep_time: bool) -> None:
    st = path.stat()
    path.write_text(path.read_text().replace(old, new))
    if keep_time:
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


def test_the_launcher_runs_the_precompiled_code_and_drops_it_once_a_source_changes(tmp_path, site):
    data = precompiled.build(str(site))
    assert data is not None
    write(tmp_path, data)
    version = site / "statusline" / "version.py"
    real = launch(tmp_path, site, "--version").stdout.strip()
    # A source edited behind its recorded size and time: what ran is the precompiled code.
    same_size_edit(version, real.split()[-1], "9.9.9", keep_time=True)
    assert launch(tmp_path, site, "--version").stdout.strip() == real
    os.utime(version)  # now its time says it changed: every module comes from the folder
    assert launch(tmp_path, site, "--version").stdout.strip() == "claude-usage-line 9.9.9"


def test_every_module_the_line_and_the_hook_import_is_precompiled(site):
    """``HOT_MODULES`` covers the line, the hook and every module they import lazily (the
    packages too: the launcher imports nothing of ours from a folder)."""
    lazy = ["statusline.commands.line", "statusline.commands.hook", "statusline.render.themes",
            "statusline.render.lineformats", "statusline.commands.bars", "statusline.render.notify",
            "statusline.cache.history", "statusline.cache.spawn", "statusline.version", "statusline.render.bars",
            "statusline.core.forecast"]
    probe = ("import sys; sys.path.insert(0, sys.argv[1]); import importlib\n"
             "for m in sys.argv[2:]: importlib.import_module(m)\n"
             "print(' '.join(m for m in sys.modules if m.startswith('statusline')))")
    got = subprocess.run([sys.executable, "-I", "-S", "-c", probe, str(site), *lazy], capture_output=True,
                         text=True, check=True).stdout.split()
    assert set(got) <= set(precompiled.HOT_MODULES), set(got) - set(precompiled.HOT_MODULES)


def test_the_precompiled_modules_are_served_and_the_rest_come_from_their_folders(site):
    probe = ("import sys; sys.path.insert(0, sys.argv[1]); from statusline.commands import precompiled\n"
             "assert precompiled.serve(sys.argv[2], ())\n"
             "import statusline.cache.oslite, statusline.cache.fastpaths\n"
             "print(' '.join('%s=%s' % (m, type(sys.modules[m].__spec__.loader).__name__) for m in\n"
             "      ('statusline.cache', 'statusline.cache.oslite', 'statusline.cache.fastpaths')))\n"
             "print(statusline.cache.oslite.__file__)")
    code = site / "hot.code"
    code.write_bytes(precompiled.build(str(site), ("statusline.cache", "statusline.cache.oslite")))
    code.chmod(0o600)
    assert set(precompiled.load(str(code), str(site))) == {"statusline.cache", "statusline.cache.oslite"}
    out = subprocess.run([sys.executable, "-I", "-S", "-c", probe, str(site), str(code)], capture_output=True,
                         text=True, check=True).stdout.splitlines()
    assert out[0] == ("statusline.cache=Finder statusline.cache.oslite=Finder "
                      "statusline.cache.fastpaths=SourceFileLoader")
    assert out[1] == str(site / "statusline" / "cache" / "oslite.py")  # tracebacks name the source


@pytest.mark.parametrize("case", ["garbage", "truncated", "another python", "group-writable", "a link",
                                  "a directory", "a source gone"])
def test_a_precompiled_file_that_is_not_this_installs_is_ignored_and_the_line_still_right(tmp_path, site, case):
    data = precompiled.build(str(site))
    real = launch(tmp_path, site, "--version").stdout
    assert real.startswith("claude-usage-line ")
    if case == "garbage":
        code = write(tmp_path, precompiled.tag() + b"\xff\xff\xff\x7f" + os.urandom(64))
    elif case == "truncated":
        code = write(tmp_path, data[:len(data) - 1000])
    elif case == "another python":
        code = write(tmp_path, data.replace(sys.implementation.cache_tag.encode(), b"cpython-299", 1))
    elif case == "group-writable":
        code = write(tmp_path, data, 0o620)
    elif case == "a link":
        target = write(tmp_path, data)
        code = target.with_name("elsewhere")
        target.rename(code)
        target.symlink_to(code)
        code = target
    elif case == "a directory":
        code = launcher.code_path(tmp_path / "bin" / "claude-usage-line")
        code.mkdir(parents=True)
    else:
        code = write(tmp_path, data)
        (site / "statusline" / "render" / "notify.py").unlink()
    assert precompiled.load(str(code), str(site)) is None
    r = launch(tmp_path, site, "--version")
    assert r.returncode == 0 and r.stdout == real and r.stderr == "", r


def test_setup_writes_the_file_once_and_again_after_a_change(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    fast = launcher.ensure()
    assert fast is not None
    code = launcher.code_path(Path(fast))
    assert code.stat().st_mode & 0o777 == 0o600 and launcher.code_current()
    before = code.stat().st_mtime_ns
    assert launcher.ensure() == fast and code.stat().st_mtime_ns == before  # current: not rewritten
    code.write_bytes(b"stale")
    assert not launcher.code_current()
    assert launcher.ensure() == fast and launcher.code_current()


def test_a_module_that_fails_half_way_through_the_boot_leaves_the_folders_serving(tmp_path, site):
    """The file's code for ``render/layout`` raises (built from a broken source that was then put
    back with its size and time): boot takes out every module it made, and the line still comes,
    from the folders."""
    layout = site / "statusline" / "render" / "layout.py"
    good = layout.read_text()
    real = launch(tmp_path, site, "--format", "plain", "--glyphs", "plain").stdout
    line = 'STYLED = ("ansi", "bash", "tmux", "zsh")'
    broken = good.replace(line, 'raise RuntimeError("half-way")'.ljust(len(line)), 1)  # the same size
    assert broken != good and len(broken) == len(good)
    st = layout.stat()
    layout.write_text(broken)
    os.utime(layout, ns=(st.st_atime_ns, st.st_mtime_ns))
    code = write(tmp_path, precompiled.build(str(site)))
    layout.write_text(good)
    os.utime(layout, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert precompiled.load(str(code), str(site)) is not None, "the file still looks current"
    probe = ("import sys; sys.path.insert(0, sys.argv[1]); from statusline.commands import precompiled\n"
             "opened = precompiled.own_file(sys.argv[2], precompiled.HEAD, precompiled.LIMIT)\n"
             "del sys.modules['statusline.commands.precompiled'], sys.modules['statusline.commands'], "
             "sys.modules['statusline']\n"
             "print(precompiled.boot(opened, (), sys.argv[1], True), sorted(m for m in sys.modules if m.startswith('statusline')))")
    out = subprocess.run([sys.executable, "-I", "-S", "-c", probe, str(site), str(code)], capture_output=True,
                         text=True, check=True).stdout
    assert out.strip() == "None []", out
    r = launch(tmp_path, site, "--format", "plain", "--glyphs", "plain")
    assert r.returncode == 0 and r.stdout == real and r.stderr == "", r


def test_the_boot_runs_what_the_command_needs_at_once_and_serves_the_rest_when_imported(tmp_path, site):
    write(tmp_path, precompiled.build(str(site)))
    fast = tmp_path / "bin" / "claude-usage-line"
    launch(tmp_path, site, "--version")
    text = fast.read_text().replace("\nrun()\n", "\nimport statusline.render.notify\nprint(served, ' '.join("
                                    "f'{m}={type(sys.modules[m].__spec__.loader).__name__}' for m in sys.modules "
                                    "if m.startswith('statusline')))\n")
    probe = tmp_path / "bin" / "probe"
    probe.write_text(text)
    for argv, eager in ((["--format", "tmux"], "statusline.commands.line"),
                        (["--claude-code"], "statusline.commands.hook")):
        out = subprocess.run([sys.executable, "-IS", str(probe), *argv], capture_output=True, text=True,
                             check=True).stdout.split()
        assert out[0] == "True", out
        loaders = dict(pair.split("=") for pair in out[1:])
        assert loaders[eager] == "Finder" and loaders["statusline.render.notify"] == "Finder", loaders
        assert set(loaders) <= set(precompiled.HOT_MODULES)
        assert ("statusline.commands.hook" in loaders) == (argv == ["--claude-code"]), "only what is asked for"


def test_the_run_order_puts_each_module_after_what_its_top_imports():
    known = ("a", "a.b", "a.c", "a.d")
    deps = {"a": [], "a.b": precompiled.top_imports("from a import c\ndef f():\n    import a.d\n", "a.b", known),
            "a.c": precompiled.top_imports("class K:\n    import a.d\n", "a.c", known),
            "a.d": precompiled.top_imports("import os\n", "a.d", known)}
    assert deps["a.b"] == ["a", "a.c"], "not what a function imports"
    assert deps["a.c"] == ["a", "a.d"], "a class body runs at import"
    assert precompiled.run_order(["a.b"], deps) == ["a", "a.d", "a.c", "a.b"]
    with pytest.raises(ValueError):
        precompiled.run_order(["a.b"], {**deps, "a": ["a.b"]})


@pytest.mark.parametrize("whose", ["this install's", "this install's, through a link", "another install's"])
def test_the_console_script_uses_the_fast_launchs_file_only_when_it_is_this_installs(tmp_path, site, whose):
    """Its folder as imported first; through a link (a venv's ``lib64 -> lib``) resolved."""
    other = tmp_path / "other"
    shutil.copytree(site, other)
    data_home = tmp_path / "data"
    where = data_home / "claude-usage" / "bin"
    where.mkdir(parents=True)
    code = where / precompiled.FILE
    code.write_bytes(precompiled.build(str(other if whose == "another install's" else site)))
    code.chmod(0o600)
    probe = ("import sys; sys.path.insert(0, sys.argv[1]); from statusline.commands import entry\n"
             "print(entry.prepare(), sys.modules['statusline.commands.line'].__file__ "
             "if 'statusline.commands.line' in sys.modules else '-')")
    env = {"HOME": str(tmp_path), "XDG_DATA_HOME": str(data_home), "PATH": os.environ["PATH"]}
    imported_from = site
    if whose.endswith("a link"):
        imported_from = tmp_path / "lib64"
        imported_from.symlink_to(site)
    out = subprocess.run([sys.executable, "-I", "-c", probe, str(imported_from)], capture_output=True, text=True,
                         env=env, check=True).stdout.split()
    if whose.startswith("this install's"):
        assert out == ["True", str(site / "statusline" / "commands" / "line.py")]
    else:
        assert out == ["False", "-"], "never another install's code"


@pytest.mark.parametrize("data_home", ["/d/share", "/d/share/", "", "rel/share", "~/share", "/d/~x"])
@pytest.mark.parametrize("home_dir", ["/h", "/h/", ""])
def test_the_console_scripts_guess_is_the_rule_or_nothing(data_home, home_dir):
    """The entry's guess of where the file is, when it makes one, is what the rule says."""
    from statusline.cache import fastpaths
    from statusline.commands import entry

    env = {"XDG_DATA_HOME": data_home, "HOME": home_dir}
    got = entry.guess(env)
    assert got is None or os.path.normpath(got) == os.path.normpath(fastpaths.launch_dir(env)), (env, got)
    if home_dir and data_home in ("/d/share", ""):
        assert got is not None  # the usual cases are guessed


def test_the_console_script_finds_the_file_by_the_rule_when_the_guess_misses(tmp_path, site):
    """``XDG_DATA_HOME=~/data``: no guess is made, the rule (``~`` expanded) finds the file."""
    where = tmp_path / "data" / "claude-usage" / "bin"
    where.mkdir(parents=True)
    code = where / precompiled.FILE
    code.write_bytes(precompiled.build(str(site)))
    code.chmod(0o600)
    probe = ("import sys; sys.path.insert(0, sys.argv[1]); from statusline.commands import entry\n"
             "print(entry.prepare())")
    env = {"HOME": str(tmp_path), "XDG_DATA_HOME": "~/data", "PATH": os.environ["PATH"]}
    out = subprocess.run([sys.executable, "-I", "-c", probe, str(site)], capture_output=True, text=True, env=env,
                         check=True).stdout.split()
    assert out == ["True"]
