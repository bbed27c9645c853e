"""Tried as an attacker would: hostile strings, planted links, foreign directories, the token.

- Strings chosen by others (an organization name any org admin sets, a model name, a server's
  error message, Claude Code's input) reach no output as control sequences: the line in every
  format, the hook, refresh, doctor, the panel, ``--json``.
- Links planted in the cache are replaced, never followed; a cache directory owned by someone
  else, or held by a directory others can write without the sticky bit, is refused; a
  directory the user named is never chmod'ed. The unprivileged cases run as ``nobody``.
- The token is never in a cache file, an argv, the fetcher's environment or any output, even
  when the server echoes it back.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import guard
import pytest
from apiserver import PROFILE_BODY, Reply, usage_body
from conftest import TOKEN, write_credentials
from helpers import account_dir, age_cache, cli, fetch, fetcher_pids, line, wait_for
from hostile import ESCAPES, LINES, SHELL, TMUX

from statusline.cache import fastpaths
from statusline.core import clean

# Process-level scenarios: the main Python runs them (.ci/run), the others the rest.
pytestmark = pytest.mark.scenario

U = "/api/oauth/usage"
P = "/api/oauth/profile"
ROOT = Path(__file__).resolve().parent.parent

# From the shared corpus: every escape (OSC 52, OSC 0, OSC 8, CSI, C1, NUL, DEL, bidi), every line
# break, a tmux command, zsh's colour and a $(), in one string put in every field at once.
HOSTILE = "".join(ESCAPES + LINES + [TMUX[0], SHELL[6], SHELL[0]]).replace("{p}", "/tmp/cu-pwned")

SGR = re.compile(r"\x1b\[[0-9;]*m")


def hostile_usage() -> dict[str, Any]:
    resets = "2099-01-01T00:00:00+00:00"
    body = usage_body(five=78.0, seven=41.0)
    body["extra_usage"]["currency"] = HOSTILE
    body["limits"] = [
        {"kind": "weekly_scoped", "group": "weekly", "percent": 95, "severity": "critical", "resets_at": resets,
         "scope": {"model": {"id": HOSTILE, "display_name": "Opus" + HOSTILE}, "surface": None}, "is_active": True},
        {"kind": HOSTILE, "percent": 5, "resets_at": resets, "is_active": True},
    ]
    return body


def hostile_profile() -> dict[str, Any]:
    prof = json.loads(json.dumps(PROFILE_BODY))
    for key in ("full_name", "display_name", "email"):
        prof["account"][key] = HOSTILE
    for key in ("name", "organization_type", "rate_limit_tier"):
        prof["organization"][key] = HOSTILE
    return prof


def assert_no_controls(out: str, what: str, allow_sgr: bool = False) -> None:
    """No control character except newlines between rows (and our own SGR colour codes)."""
    text = SGR.sub("", out) if allow_sgr else out
    text = text.replace("\x01", "").replace("\x02", "") if allow_sgr else text  # bash's \[ \]
    for row in text.split("\n"):
        bad = [c for c in row if not clean.is_clean(c)]
        assert not bad, f"{what}: control characters {bad!r} reach the output: {row!r}"
    assert "\x1b]0;PWNED" not in out


def assert_strings_clean(doc: Any, what: str) -> None:
    if isinstance(doc, str):
        assert clean.is_clean(doc), f"{what}: {doc!r}"
    elif isinstance(doc, dict):
        for k, v in doc.items():
            assert_strings_clean(k, what)
            assert_strings_clean(v, what)
    elif isinstance(doc, list):
        for v in doc:
            assert_strings_clean(v, what)


@pytest.fixture
def hostile(api, home):
    """A cache filled from an API whose every free-text field is hostile."""
    write_credentials(home)
    api.set(U, Reply(200, hostile_usage()))
    api.set(P, Reply(200, hostile_profile()))
    r = fetch()
    assert r.returncode == 0, r.stdout + r.stderr
    return api


@pytest.mark.parametrize("fmt", ["ansi", "tmux", "zsh", "bash", "plain"])
def test_hostile_api_strings_never_reach_the_line(hostile, fmt):
    r = line("--format", fmt, "--no-refresh")
    assert r.returncode == 0 and r.stdout.strip()
    assert_no_controls(r.stdout.rstrip("\n"), f"--format {fmt}", allow_sgr=fmt in ("ansi", "bash"))
    if fmt == "tmux":
        assert "#(" not in r.stdout.replace("##", ""), "tmux would run #(...)"
    if fmt == "zsh":
        assert not re.search(r"(?<!%)%(?![%Ff])", r.stdout.replace("%%", "")), "a bare % reaches zsh"


@pytest.mark.parametrize("fmt", ["json", "waybar"])
def test_hostile_api_strings_in_machine_formats(hostile, fmt):
    r = line("--format", fmt, "--no-refresh")
    assert "\x1b" not in r.stdout and "\x9b" not in r.stdout
    doc = json.loads(r.stdout)
    tooltip = doc.pop("tooltip", "") if fmt == "waybar" else ""
    assert_strings_clean([doc, *tooltip.split("\n")], f"--format {fmt}")  # waybar: one tooltip row per line


def test_hostile_api_strings_never_reach_the_panel_json_or_doctor(hostile):
    for args, what in ((("--json",), "claude-usage --json"), ((), "the panel"), (("doctor",), "doctor")):
        r = cli(*args)
        assert "Traceback" not in r.stderr
        assert_no_controls(r.stdout.rstrip("\n"), what)
        if args == ("--json",):
            assert_strings_clean(json.loads(r.stdout), what)
    r = cli(env=dict(os.environ, COLUMNS="60", FORCE_COLOR="1", TERM="xterm-256color"))
    assert_no_controls(r.stdout.rstrip("\n"), "the panel in colour", allow_sgr=True)


def test_hostile_error_message_and_echoed_token(warm, home):
    """A server that echoes the token and escapes in its error: clean, and no token, anywhere."""
    message = f"bad token {TOKEN} (Bearer {TOKEN}) {HOSTILE}"
    for reply in (Reply(401, {"type": "error", "error": {"type": "authentication_error", "message": message}}),
                  Reply(500, {"error": {"message": message}}),
                  Reply(429, {"error": {"message": message}}, {"Retry-After": HOSTILE.replace("\n", "")[:20]}),
                  Reply(200, f"<html>{message}</html>", content_type=f"text/html{HOSTILE}".replace("\n", "").replace("\r", ""))):
        age_cache(40)
        write_credentials(home)  # a new credentials file: an auth wait ends
        warm.set(U, reply)
        outs = [cli("refresh"), cli("doctor"), cli("--json"), cli()]
        outs += [line("--format", f, "--no-refresh") for f in ("ansi", "plain", "json", "waybar", "tmux")]
        for r in outs:
            assert TOKEN not in r.stdout + r.stderr, r.args
            assert "Traceback" not in r.stderr
            assert_no_controls(r.stdout.rstrip("\n"), " ".join(map(str, r.args)), allow_sgr=True)
            assert_no_controls(r.stderr.rstrip("\n"), " ".join(map(str, r.args)))
        for f in Path(os.environ["CLAUDE_USAGE_CACHE_DIR"]).rglob("*"):
            if f.is_file():
                assert TOKEN.encode() not in f.read_bytes(), f"token in {f}"


def test_hostile_claude_code_input(api, logged_in):
    data = {"model": {"id": HOSTILE, "display_name": HOSTILE}, "version": HOSTILE,
            "context_window": {"used_percentage": float("1e308")}, "cost": {"total_cost_usd": 1e300},
            "rate_limits": {"five_hour": {"used_percentage": 12.5, "resets_at": time.time() + 3000}}}
    r = line("--claude-code", "--show", "model,context,cost", input=json.dumps(data))
    assert r.returncode == 0 and r.stdout.strip() and "Traceback" not in r.stderr
    assert_no_controls(r.stdout.rstrip("\n"), "the hook", allow_sgr=True)


# --- planted links and foreign directories -----------------------------------------------


def test_planted_links_in_the_cache_are_replaced_not_followed(api, logged_in, tmp_path):
    acct = account_dir()
    acct.mkdir(parents=True, mode=0o700)
    victims = {}
    for name in ("snapshot.json", "line.bin", "fetch.owner", "fetcher.log", "harvest.bin.lock", "spawn.stamp"):
        victim = tmp_path / f"victim-{name}"
        victim.write_text("precious")
        (acct / name).symlink_to(victim)
        victims[name] = victim
    r = fetch()
    assert r.returncode == 0, r.stdout + r.stderr
    for name, victim in victims.items():
        assert victim.read_text() == "precious", f"{name}: the link was followed"
    assert (acct / "snapshot.json").is_file() and not (acct / "snapshot.json").is_symlink()


def test_spawn_log_link_is_not_followed(warm, tmp_path):
    age_cache(40)
    acct = account_dir()
    victim = tmp_path / "victim.log"
    victim.write_text("precious")
    (acct / "fetcher.log").unlink(missing_ok=True)
    (acct / "fetcher.log").symlink_to(victim)
    (acct / "spawn.stamp").unlink(missing_ok=True)
    before = warm.count(U)
    line()
    wait_for(lambda: warm.count(U) > before, timeout=10)
    assert victim.read_text() == "precious"


def test_cache_dir_owned_by_another_user_is_refused(api, logged_in, tmp_path, monkeypatch):
    theirs = tmp_path / "theirs\x1b]0;PWNED\x07"  # refresh names it: through the terminal's door
    theirs.mkdir()
    os.chown(theirs, 65534, 65534)
    monkeypatch.setenv("CLAUDE_USAGE_CACHE_DIR", str(theirs))
    r = cli("refresh")
    assert r.returncode == 1 and "belongs to another user" in r.stderr and "Traceback" not in r.stderr, r.stderr
    assert "theirs?]0;PWNED?" in r.stderr and "\x1b" not in r.stderr and "\x07" not in r.stderr, r.stderr
    shown = line("--format", "plain")
    assert shown.stdout.strip() == "claude: cache dir unusable"
    assert list(theirs.iterdir()) == [], "nothing is created in someone else's directory"
    assert api.count(U) == 0


def test_account_dir_owned_by_another_user_is_refused(api, logged_in):
    acct = account_dir()
    acct.mkdir(parents=True, mode=0o700)
    os.chown(acct, 65534, 65534)
    r = cli("refresh")
    assert r.returncode == 1 and "belongs to another user" in r.stderr, r.stderr
    assert api.count(U) == 0


def test_world_writable_holder_without_sticky_bit_is_refused(api, logged_in, tmp_path, monkeypatch):
    loose = tmp_path / "loose"
    loose.mkdir()
    loose.chmod(0o777)
    monkeypatch.setenv("CLAUDE_USAGE_CACHE_DIR", str(loose))
    r = cli("refresh")
    assert r.returncode == 1 and "writable by other users" in r.stderr, r.stderr
    assert stat.S_IMODE(loose.stat().st_mode) == 0o777, "refused, not chmod'ed"


@pytest.mark.parametrize("mode", [0o1777, 0o755])
def test_a_directory_the_user_named_keeps_its_mode(api, logged_in, tmp_path, monkeypatch, mode):
    """A shared sticky dir (like /tmp) or $HOME as CLAUDE_USAGE_CACHE_DIR: used, never chmod'ed."""
    named = tmp_path / "named"
    named.mkdir()
    named.chmod(mode)
    monkeypatch.setenv("CLAUDE_USAGE_CACHE_DIR", str(named))
    assert cli("refresh").returncode == 0
    line()
    assert stat.S_IMODE(named.stat().st_mode) == mode
    assert stat.S_IMODE(account_dir().stat().st_mode) == 0o700


def test_home_as_cache_dir_keeps_its_mode(api, logged_in, home, monkeypatch):
    home.chmod(0o755)
    monkeypatch.setenv("CLAUDE_USAGE_CACHE_DIR", str(home))
    assert cli("refresh").returncode == 0
    assert stat.S_IMODE(home.stat().st_mode) == 0o755


# --- as an unprivileged user ---------------------------------------------------------------

NOBODY = 65534


def as_nobody(*argv: str, env: dict[str, str] | None = None, **kw: Any) -> subprocess.CompletedProcess[str]:
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        pytest.skip("needs root and setpriv to act as the unprivileged user 'nobody'")
    cmd = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *argv]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=30, **kw)


@pytest.fixture
def shared():
    """A world-writable sticky directory like /tmp, reachable by nobody."""
    d = guard.public_dir("cu-shared-")
    d.chmod(0o1777)
    try:
        yield d
    finally:
        shutil.rmtree(d, ignore_errors=True)


def test_attacker_precreates_the_account_dir_in_a_shared_cache(api, logged_in, shared, monkeypatch, tmp_path):
    """Another user plants our (predictable) account dir with a link inside: in a shared root we
    work in our own user-<uid> subfolder, so the planted dir is never looked at (issue 17, #3)."""
    monkeypatch.setenv("CLAUDE_USAGE_CACHE_DIR", str(shared))
    acct = fastpaths.account_dir(str(shared), fastpaths.config_dir(os.environ), "auto")
    victim = tmp_path / "victim"
    victim.write_text("precious")
    r = as_nobody("sh", "-c", f'mkdir -m 777 "{acct}" && ln -s "{victim}" "{acct}/snapshot.json"')
    assert r.returncode == 0, r.stderr
    ref = cli("refresh")
    shown = line("--format", "plain", "--no-refresh")
    assert ref.returncode == 0, ref.stderr
    assert "5h 78%" in shown.stdout
    assert victim.read_text() == "precious"
    assert os.listdir(acct) == ["snapshot.json"]  # theirs, untouched
    assert (shared / f"user-{os.geteuid()}").stat().st_mode & 0o777 == 0o700


def test_a_snapshot_planted_in_our_subfolder_reaches_no_command(api, logged_in, shared, monkeypatch, tmp_path):
    """#27.12: another user makes our user-<uid> subfolder first in a shared root and plants a
    snapshot there. The line refused it; the panel, --json, --all, check and doctor read it
    through the opener for others' files and showed the planted organization and numbers."""
    from statusline.cache import store
    from statusline.core.model import Profile, Snapshot, Usage, Window, utc

    monkeypatch.setenv("CLAUDE_USAGE_CACHE_DIR", str(shared))
    acct = Path(fastpaths.account_dir(fastpaths.cache_root(os.environ), fastpaths.config_dir(os.environ), "auto"))
    now = time.time()
    planted = Snapshot(mode="code", usage=Usage(five_hour=Window(99.0, utc(now + 3000))), usage_fetched_at=utc(now),
                       profile=Profile(email="evil@example.com", organization="PLANTED ORG"))
    body = shared / "planted.json"  # where the other user can read it
    body.write_text(json.dumps(planted.to_dict()))
    body.chmod(0o644)
    r = as_nobody("sh", "-c", f'mkdir -p -m 777 "{acct}" && chmod 777 "{acct.parent}" && cp "{body}" "{acct}/snapshot.json"')
    assert r.returncode == 0, r.stderr
    assert store.read_owner(acct) is None
    for argv in ([], ["--json"], ["--all"], ["check", "5h<90"], ["doctor"]):
        out = cli(*argv)
        said = out.stdout + out.stderr
        assert "PLANTED" not in said and "evil@" not in said and "99%" not in said, (argv, said)
        if argv == ["check", "5h<90"]:
            assert out.returncode == 2, said  # no data it may judge: not "5h 99% fails"
    assert "belongs to another user" in cli("doctor").stdout


def test_unprivileged_line_refuses_a_loose_cache_holder(shared):
    """As nobody (the hot path runs on the system python): a holder writable by all without the
    sticky bit is refused, and nothing is created there."""
    loose = shared / "loose"
    loose.mkdir()
    loose.chmod(0o777)
    home = shared / "home"
    home.mkdir()
    os.chown(home, NOBODY, NOBODY)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "PYTHONPATH": str(ROOT), "CLAUDE_USAGE_CACHE_DIR": str(loose),
           "CLAUDE_USAGE_API_URL": "http://127.0.0.1:9", "CLAUDE_USAGE_STATUS_URL": "http://127.0.0.1:9",
           "ANTHROPIC_ADMIN_API_KEY": "sk-ant-admin01-x"}
    python = shutil.which("python3", path="/usr/bin:/bin")
    if not python:
        pytest.skip("no system python3 for the unprivileged user")
    r = as_nobody(python, "-c", "from statusline.commands.line import main; main(['--format', 'plain'])", env=env, cwd="/")
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
    assert r.stdout.strip() == "claude: cache dir unusable"
    assert list(loose.iterdir()) == []


# --- the token -----------------------------------------------------------------------------


def test_token_never_in_argv_environment_or_files_of_the_background_fetcher(api, logged_in):
    gate = threading.Event()
    api.set(U, Reply(200, usage_body(), gate=gate))  # the fetcher lives, asking, until the gate opens
    line()
    try:
        wait_for(lambda: api.count(U) >= 1, timeout=30)
        pids = wait_for(fetcher_pids, timeout=30, every=0.02)
        for pid in pids:
            assert TOKEN.encode() not in Path(f"/proc/{pid}/cmdline").read_bytes()
            assert TOKEN.encode() not in Path(f"/proc/{pid}/environ").read_bytes()
    finally:
        gate.set()
    wait_for(lambda: not fetcher_pids(), timeout=30)  # it has written all it writes
    for f in Path(os.environ["CLAUDE_USAGE_CACHE_DIR"]).rglob("*"):
        if f.is_file():
            assert TOKEN.encode() not in f.read_bytes(), f


def test_unsendable_token_is_a_problem_not_a_traceback(api, home):
    for token in ("sk-ant-oat01-tøkén✓-ünïcode", "sk-ant-oat01-a\nb", "sk-ant-oat01-\x1b]52;c;x\x07"):
        write_credentials(home, token=token)
        for r in (cli("refresh"), cli("doctor"), line("--format", "plain")):
            assert "Traceback" not in r.stdout + r.stderr, r.stdout + r.stderr
            assert token not in r.stdout + r.stderr
        assert "run `claude`" in cli("doctor").stdout
    assert api.count(U) == 0, "a token that cannot be sent is never sent"


@pytest.mark.parametrize("expires", [1e20, "Infinity", "NaN", 2 ** 63, "soon", -5, None, [1], {"a": 1}])
def test_garbled_expiry_is_unknown_not_a_traceback(api, home, expires):
    path = write_credentials(home)
    data = json.loads(path.read_text())
    raw = json.dumps(expires) if expires not in ("Infinity", "NaN") else expires
    text = json.dumps(data).replace(str(data["claudeAiOauth"]["expiresAt"]), raw)
    path.write_text(text)
    for r in (cli("refresh"), cli("doctor")):
        assert "Traceback" not in r.stdout + r.stderr, r.stdout + r.stderr
    assert cli("refresh").returncode == 0, "an unknown expiry does not stop fetching"
    assert "78%" in line("--format", "plain", "--no-refresh").stdout


def test_credentials_fifo_does_not_hang(api, home):
    fifo = home / ".claude" / ".credentials.json"
    os.mkfifo(fifo)
    t = time.monotonic()
    for r in (cli("refresh"), cli("doctor")):
        assert "Traceback" not in r.stdout + r.stderr
    assert "not a regular file" in cli("doctor").stdout
    assert time.monotonic() - t < 60  # an open() that blocked on the FIFO would never return


def test_world_readable_credentials_are_reported(api, home):
    path = write_credentials(home)
    path.chmod(0o644)
    r = cli("doctor")
    assert "is readable by everyone" in r.stdout and r.stdout.count("chmod 600") == 1
    assert cli("refresh").returncode == 0, "a warning, not a refusal"


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_hostile_panel_in_a_real_terminal(hostile, tmp_path):
    """The panel in a real tmux pane: the window title stays ours, the screen is not cleared,
    the clipboard (tmux's buffers) is not written."""
    from helpers import CLI, Tmux, poll

    tmux = Tmux("hostile")
    script = tmp_path / "panel.sh"
    script.write_text(f'printf "BEFORE\\n"; "{CLI}"; printf "AFTER\\n"; sleep 30\n')
    try:
        tmux.start("-d", "-s", "w", "-x", "100", "-y", "40", "sh", str(script))
        tmux("set-option", "-g", "set-clipboard", "on")
        tmux("rename-window", "-t", "w", "ours")
        screen = poll("the panel", lambda: tmux.capture("w"), lambda s: "AFTER" in s, timeout=15)
        assert "BEFORE" in screen, "the screen was cleared"
        title = tmux("display-message", "-p", "-t", "w", "#{pane_title}").strip()
        assert "pwned" not in title, title
        assert tmux("list-buffers", check=False).strip() == "", "an OSC 52 reached the clipboard"
        assert_no_controls(tmux.capture("w", escapes=True), "the panel under tmux", allow_sgr=True)
    finally:
        tmux.kill()


def test_setup_keeps_a_symlinked_settings_json(home, tmp_path):
    """Dotfile managers link ~/.claude/settings.json into a repository: the link stays, the
    file it points to (through a chain of links, one relative) is edited, other keys kept."""
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir()
    real = dotfiles / "claude-settings.json"
    real.write_text(json.dumps({"model": "opus", "permissions": {"allow": ["Bash"]}}))
    real.chmod(0o640)
    (dotfiles / "current.json").symlink_to("claude-settings.json")  # relative hop
    link = home / ".claude" / "settings.json"
    link.symlink_to(dotfiles / "current.json")
    r = cli("setup", "claude-code", "--install")
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stdout + r.stderr
    assert link.is_symlink() and os.readlink(link) == str(dotfiles / "current.json")
    assert (dotfiles / "current.json").is_symlink()
    doc = json.loads(real.read_text())
    assert doc["model"] == "opus" and doc["permissions"] == {"allow": ["Bash"]}
    assert "--claude-code" in doc["statusLine"]["command"]
    assert stat.S_IMODE(real.stat().st_mode) == 0o640, "the file keeps its mode"
    assert list(dotfiles.glob("claude-settings.json.bak-*")), "a backup beside the real file"
    again = cli("setup", "claude-code", "--install")
    assert again.returncode == 0 and "nothing changed" in again.stdout and link.is_symlink()
