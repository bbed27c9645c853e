"""claude-usage-line as a whole process: always a line, always exit 0, never the network."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from apiserver import Reply, usage_body
from conftest import TOKEN
from helpers import LINE, fetch, line, line_json, wait_for

import statusline
from statusline.version import VERSION

U = "/api/oauth/usage"
CONTRACT_KEYS = {"schema", "kind", "mode", "status", "fetched_at", "age_seconds", "five_hour", "seven_day",
                 "weekly_scoped", "extra_usage", "source", "backoff_until", "error", "console", "pace_maker",
                 # added by schema 1's later revisions (keys are only ever added)
                 "routines", "spend", "no_plan_limits", "next_call_at", "forecast", "service"}


def test_first_call_is_instant_then_data_appears(api, logged_in, monkeypatch):
    monkeypatch.setenv("CLAUDE_USAGE_HTTP_TIMEOUT", "30")  # the fetcher waits for the held answer
    gate = threading.Event()
    api.set(U, Reply(200, usage_body(), gate=gate))
    r = line()  # the API answers nothing until the gate opens: a line that waited would not return
    assert r.returncode == 0 and "claude" in r.stdout and "78%" not in r.stdout
    wait_for(lambda: api.count(U) == 1, timeout=30)  # the fetch it started is in flight
    gate.set()
    wait_for(lambda: "5h 78%" in line("--format", "plain").stdout, timeout=60)
    assert "\x1b[33m5h 78%\x1b[0m" in line().stdout


def test_json_contract(api, logged_in):
    fetch()
    doc = line_json()
    assert set(doc) == CONTRACT_KEYS
    assert doc["schema"] == 1 and doc["mode"] == "code" and doc["status"] == "ok" and doc["error"] is None
    assert set(doc["five_hour"]) == {"utilization", "resets_at", "source", "observed_at"}
    assert doc["five_hour"]["source"] == "api" and doc["five_hour"]["observed_at"].endswith("+00:00")
    assert doc["age_seconds"] < 30
    assert doc["fetched_at"].endswith("+00:00")


def test_no_credentials(api):
    r = line("--format", "plain")
    assert r.returncode == 0 and r.stdout == "claude: no credentials\n"
    assert line_json()["status"] == "no_credentials"
    assert api.count(U) == 0


def test_corrupt_credentials(api, home):
    (home / ".claude" / ".credentials.json").write_text("{oops")
    fetch()
    assert line("--format", "plain").stdout.strip() == "claude: no credentials"
    r = subprocess.run([os.path.join(os.path.dirname(LINE), "claude-usage"), "doctor"],
                       capture_output=True, text=True)
    assert "not valid JSON" in r.stdout and r.returncode == 1


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere; uses a file in place of the dir instead")
def test_unwritable_cache_dir_nonroot(logged_in, tmp_path, monkeypatch):
    ro = tmp_path / "ro"
    ro.mkdir(mode=0o500)
    monkeypatch.setenv("CLAUDE_USAGE_CACHE_DIR", str(ro / "cache"))
    r = line("--format", "plain")
    assert r.returncode == 0 and r.stdout.strip() == "claude: cache dir not writable"


def test_unusable_cache_dir(logged_in, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the cache dir should be")
    monkeypatch.setenv("CLAUDE_USAGE_CACHE_DIR", str(blocker / "cache"))
    r = line("--format", "plain")
    assert r.returncode == 0 and r.stdout.strip() == "claude: cache dir not writable"
    assert line("--format", "json").returncode == 0


def test_help_version_and_bad_args_still_exit_0():
    assert "usage: claude-usage-line" in line("--help").stdout
    assert line("--version").stdout.startswith("claude-usage-line 0.")
    r = line("--format", "nonsense", "--bogus", "--mode", "lunar", "--format")
    assert r.returncode == 0 and r.stdout.strip(), "not a terminal: a prompt still gets its line"
    assert "unknown option --bogus" in r.stderr and "Traceback" not in r.stderr


def test_version_matches_package_metadata():
    from importlib.metadata import version

    from statusline.version import VERSION

    assert VERSION == version("claude-usage-line")


def test_no_color(api, logged_in):
    fetch()
    env = dict(os.environ, NO_COLOR="1")
    out = line(env=env).stdout
    assert "\x1b" not in out and "5h 78%" in out


def test_hot_path_imports_stay_small(tmp_path, logged_in):
    """The line must not load json/re, requests, filelock, platformdirs, rich, argparse, pathlib."""
    probe = (
        "import sys, io; before=set(sys.modules); sys.argv=['claude-usage-line','--no-refresh'];"
        "sys.stdout=io.StringIO(); from statusline.commands.line import main; main();"
        "print(sorted(set(sys.modules)-before), file=sys.stderr)"
    )
    r = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    loaded = eval(r.stderr.strip().splitlines()[-1])
    heavy = {"json", "re", "requests", "filelock", "platformdirs", "rich", "argparse", "pathlib",
             "datetime", "subprocess", "hashlib", "sqlite3"}
    assert not heavy & set(loaded), f"hot path loaded {sorted(heavy & set(loaded))}"
    assert set(loaded) <= {"statusline", "statusline.commands", "statusline.render", "statusline.cache",
                           "statusline.core", "statusline.commands.line", "statusline.render.dialects", "statusline.cache.fastpaths",
                           "statusline.render.segments", "statusline.version", "statusline.cache.cache_view",
                           "statusline.core.readings", "statusline.cache.spawn", "statusline.cache.safefiles",
                           "statusline.cache.oslite", "statusline.core.clean", "statusline.core.items",
                           "statusline.render.layout"}, loaded


HOOK_INPUT = {"session_id": "s1", "model": {"display_name": "Opus"},
              "rate_limits": {"five_hour": {"used_percentage": 64, "resets_at": int(time.time()) + 3600},
                              "seven_day": {"used_percentage": 41, "resets_at": int(time.time()) + 86400}}}


@pytest.mark.parametrize("args,stdin,shown", [(["--format", "tmux"], "", "5h 78%"),
                                               (["--claude-code"], json.dumps(HOOK_INPUT), "5h 64%")])
def test_the_fast_launch_never_imports_os(api, logged_in, args, stdin, shown):
    """Under ``python -I -S`` (what setup's launcher runs) ``os`` is not loaded, and loading it
    would cost a seventh of the start: the line and the hook (which writes its harvest and a
    history sample here) do without it (``cache/oslite``). The hook reads its pipe without
    ``select`` and, notifications being off, loads nothing for them."""
    fetch()
    probe = (
        "import sys, io; sys.path.append(%r); sys.argv=['claude-usage-line', *%r];"
        "out=io.StringIO(); real=sys.stdout; sys.stdout=out;"
        "from statusline.commands.line import main; main(); sys.stdout=real;"
        "print(repr(out.getvalue())); print(sorted(m for m in sys.modules if m in ('os', 'posixpath', 'stat',"
        " 'select', 'statusline.render.notify')))"
    ) % (str(Path(statusline.__file__).parent.parent), args)
    r = subprocess.run([sys.executable, "-I", "-S", "-c", probe], capture_output=True, text=True, input=stdin)
    out, loaded = r.stdout.strip().splitlines()[-2:]
    assert shown in out, r.stdout + r.stderr
    assert loaded == "[]", loaded
    if stdin:  # it did write: the harvest is there for the next plain line
        assert "5h 64%" in line("--format", "plain", "--no-refresh").stdout


def test_fastpaths_cache_root_agrees_with_platformdirs(monkeypatch, tmp_path):
    from statusline.cache import fastpaths, paths

    monkeypatch.delenv("CLAUDE_USAGE_CACHE_DIR")
    for xdg in (None, str(tmp_path / "xdg")):
        if xdg:
            monkeypatch.setenv("XDG_CACHE_HOME", xdg)
        assert fastpaths.cache_root(os.environ) == str(paths.resolve().cache_root)


def test_spawned_fetcher_argv_has_no_secret(api, logged_in):
    gate = threading.Event()
    api.set(U, Reply(200, usage_body(), gate=gate))  # the fetcher lives until the gate opens
    line()
    seen = []

    def find():
        for pid in os.listdir("/proc"):
            if pid.isdigit():
                try:
                    cmd = open(f"/proc/{pid}/cmdline", "rb").read()
                except OSError:
                    continue
                if b"statusline.fetch.fetcher" in cmd and b"--background" in cmd:
                    seen.append(cmd)
        return seen

    try:
        wait_for(find, timeout=30, every=0.02)
        assert all(TOKEN.encode() not in c and b"sk-ant" not in c for c in seen)
    finally:
        gate.set()


def test_stdout_closed_does_not_crash():
    r = subprocess.run(f"{LINE} >&-", shell=True, capture_output=True, text=True)
    assert r.returncode == 0 and "Traceback" not in r.stderr


def test_logging_in_is_noticed_at_the_next_call(api, home):
    """After `claude` writes credentials, the next line starts a fetch: no 10 s debounce."""
    from conftest import write_credentials

    wait_for(lambda: line_json_refresh()["status"] == "no_credentials" and account_has_view(), timeout=10)
    assert line("--format", "plain").stdout.strip() == "claude: no credentials"
    write_credentials(home)
    # Not the 5 minutes a missing login waits between tries: the new file ends the wait at once.
    wait_for(lambda: "5h 78%" in line("--format", "plain").stdout, timeout=60)


def line_json_refresh():
    import json

    return json.loads(line("--format", "json").stdout)


def account_has_view():
    from helpers import account_dir

    return (account_dir() / "line.bin").exists()


def test_a_typo_is_a_usage_error_on_a_terminal_and_a_line_in_a_prompt(api, logged_in, tmp_path):
    """On a TTY a bad flag exits 2 naming the problem; in a prompt or bar it still prints a line
    (exit 0), says it on stderr, and doctor shows it."""
    import shlex
    import shutil

    if shutil.which("script") is None:
        pytest.skip("script(1) not installed (util-linux)")
    out = tmp_path / "tty.txt"
    cmd = f"{shlex.quote(LINE)} --format bogus; echo EXIT=$?"
    subprocess.run(["script", "-qec", cmd, str(out)], capture_output=True, timeout=20, env=dict(os.environ))
    typed = out.read_text(errors="replace")
    assert "EXIT=2" in typed and "'bogus' is not one of" in typed, typed
    for bad in (["--format", "bogus"], ["--frmat", "tmux"], ["--show", "model,nope"], ["--mode"]):
        r = line(*bad)
        assert r.returncode == 0 and r.stdout.strip(), bad
        assert "claude-usage-line:" in r.stderr, bad
    r = subprocess.run([os.path.join(os.path.dirname(LINE), "claude-usage"), "doctor"], capture_output=True, text=True)
    assert "called with a mistake" in r.stdout and ": --mode needs a value" in r.stdout and "--help" in r.stdout


RUN_PROBE = ("import atexit, sys; atexit.register(lambda: sys.stderr.write('torn down')); "
             "from statusline.commands.line import run; run(sys.argv[1:])")


@pytest.mark.parametrize("target", ["pipe", "full", "closed"])
def test_the_process_entry_prints_the_line_and_leaves_without_the_teardown(target):
    """``run`` (the console script's and the fast launch's entry) writes the whole line, flushed,
    exits 0 and skips the interpreter's teardown (an atexit handler never runs); a full disk or a
    closed stdout still ends with 0 and nothing on stderr."""
    argv = [sys.executable, "-c", RUN_PROBE, "--version"]
    if target == "pipe":
        r = subprocess.run(argv, capture_output=True, text=True, timeout=30)
        assert r.stdout == f"claude-usage-line {VERSION}\n"
    elif target == "full":
        if not os.path.exists("/dev/full"):
            pytest.skip("no /dev/full here")
        with open("/dev/full", "w") as full:
            r = subprocess.run(argv, stdout=full, stderr=subprocess.PIPE, text=True, timeout=30)
    else:
        r = subprocess.run(["sh", "-c", '"$@" >&-', "sh", *argv], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0 and r.stderr == "", r.stderr


def test_a_usage_error_at_a_terminal_still_exits_2_through_run():
    # A pseudo-terminal as the child's stdin, stdout and stderr (subprocess, not pty.fork: a
    # fork of this multi-threaded xdist worker may deadlock, and Python 3.13 warns of it).
    leader, follower = os.openpty()
    proc = subprocess.Popen([sys.executable, "-c", RUN_PROBE, "--no-such-flag"],
                            stdin=follower, stdout=follower, stderr=follower, start_new_session=True)
    os.close(follower)
    out = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # EIO: the child has closed the terminal
            break
        if not chunk:
            break
        out += chunk
    os.close(leader)
    assert proc.wait(timeout=30) == 2, out
    assert b"--no-such-flag" in out and b"torn down" not in out and b"Traceback" not in out, out
