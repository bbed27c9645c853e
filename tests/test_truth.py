"""The freshest truth (issue 16), end to end: a loopback API whose answers change as they do
for real users, the installed line and hook as real processes, a TTL of 5 s.

Each test waits for the line itself (which starts its own background fetch when the data is
due) to show the new truth, polling for at most ``SHOW_S``; nothing is forced behind its back.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from apiserver import PROFILE_BODY, Reply, usage_body
from conftest import write_credentials
from helpers import account_dir, cli, fetch, line, line_json, poll

from statusline.cache import cache_view, history
from statusline.core import readings

pytestmark = pytest.mark.scenario

U = "/api/oauth/usage"
P = "/api/oauth/profile"
SHOW_S = 20.0  # each new truth must show within this (TTL 5 s, plus a loaded machine's start)


@pytest.fixture(autouse=True)
def ttl5(monkeypatch):
    monkeypatch.setenv("CLAUDE_USAGE_TTL", "5")


def plain() -> str:
    """What a prompt shows now: the line as users run it (it may start a background fetch)."""
    r = line("--format", "plain")
    assert r.returncode == 0, r.stderr
    print("line:", r.stdout.strip())  # `pytest -s` shows every line printed (the closing note's table)
    return r.stdout.strip()


def shows(fragment: str, timeout: float = SHOW_S) -> list[str]:
    """Every line printed until one holds ``fragment`` (which is the last)."""
    seen: list[str] = []

    def probe() -> str:
        seen.append(plain())
        return seen[-1]

    poll(f"the line to show {fragment!r}", probe, lambda s: fragment in s, timeout, every=0.5)
    return seen


def hook_input(five: float, resets: float, *, session: str = "s1", transcript: Path | None = None,
               seven: float = 41.0) -> str:
    return json.dumps({
        "session_id": session, "transcript_path": str(transcript) if transcript else "/nonexistent/t.jsonl",
        "model": {"id": "claude-opus-4-1", "display_name": "Opus"}, "version": "2.1.90",
        "rate_limits": {"five_hour": {"used_percentage": five, "resets_at": int(resets)},
                        "seven_day": {"used_percentage": seven, "resets_at": int(resets + 3 * 86400)}},
    })


def hook(stdin: str) -> str:
    r = line("--claude-code", "--no-refresh", input=stdin)
    assert r.returncode == 0, r.stderr
    print("hook:", strip_ansi(r.stdout).strip())
    return r.stdout


def strip_ansi(s: str) -> str:
    import re

    return re.sub(r"\x1b\[[0-9;]*m", "", s)


def projects() -> Path:
    """Where Claude Code keeps a project's transcripts (the only place the hook looks)."""
    p = Path(os.environ["HOME"]) / ".claude" / "projects" / "-home-user-proj"
    p.mkdir(parents=True, exist_ok=True)
    return p


def transcript(tmp_path: Path, age_s: float, name: str = "t.jsonl") -> Path:
    """A session transcript last written ``age_s`` seconds ago (only its mtime is ever read)."""
    p = projects() / name
    p.write_text('{"type":"assistant"}\n')
    t = time.time() - age_s
    os.utime(p, (t, t))
    return p


# --- 1. a plan upgrade lowers a window -----------------------------------------------------------

def test_a_plan_upgrade_lowers_the_window_at_once(api, logged_in):
    state = {"five": 90.0, "base": time.time()}
    api.set_handler(U, lambda req: Reply(200, usage_body(five=state["five"], seven=41.0, now=state["base"])))
    assert fetch().returncode == 0
    assert plain().startswith("5h 90%")
    state["five"] = 20.0  # Max 5x -> 20x: the same window (same resets_at), a lower figure
    seen = shows("5h 20%")
    assert "5h 90%" not in seen[-1]
    assert line_json()["five_hour"]["utilization"] == 20.0


# --- 2. the server moves a reset earlier ---------------------------------------------------------

def test_an_earlier_reset_is_taken_and_refresh_says_so_truthfully(api, logged_in):
    base = time.time()
    api.set(U, Reply(200, usage_body(five=50.0, seven=41.0, now=base, five_reset_in=4 * 3600)))
    assert fetch().returncode == 0
    api.set(U, Reply(200, usage_body(five=12.0, seven=41.0, now=base, five_reset_in=3600)))
    r = cli("refresh")
    assert r.returncode == 0 and "Usage updated." in r.stdout, r.stdout + r.stderr
    doc = line_json()
    assert doc["five_hour"]["utilization"] == 12.0
    from datetime import datetime

    assert datetime.fromisoformat(doc["five_hour"]["resets_at"]).timestamp() == pytest.approx(base + 3600, abs=2)
    assert plain().startswith("5h 12%")


# --- 3. an idle session's replay against a fresh answer ------------------------------------------

def test_an_idle_sessions_replay_never_outweighs_a_fresh_answer(api, logged_in, tmp_path):
    base = time.time()
    api.set(U, Reply(200, usage_body(five=30.0, seven=41.0, now=base)))
    assert fetch().returncode == 0
    idle = transcript(tmp_path, 20 * 60)  # its last traffic was 20 minutes ago
    out = strip_ansi(hook(hook_input(70.0, base + 6000, session="idle", transcript=idle)))
    assert "5h 30%" in out, out
    doc = line_json()
    assert doc["five_hour"]["utilization"] == 30.0 and doc["five_hour"]["source"] == "api"
    # Replayed again and again it stays 20 minutes old.
    for _ in range(3):
        hook(hook_input(70.0, base + 6000, session="idle", transcript=idle))
    assert line_json()["five_hour"]["utilization"] == 30.0


def test_a_replay_of_windows_that_have_reset_leaves_the_current_reading(warm):
    """#27.3: an input whose resets are an hour past, with no transcript (so it counts as heard
    now), turned the API's fresh 78 % / 41 % into 0 % / 0 %, in the hook and in the shared line."""
    base = time.time()
    out = strip_ansi(hook(hook_input(55.0, base - 3600 - 3 * 86400, seven=20.0)))
    assert "5h 78%" in out and "7d 41%" in out, out
    assert plain().startswith("5h 78%") and "7d 41%" in plain()
    doc = line_json()
    assert doc["five_hour"]["utilization"] == 78.0 and doc["seven_day"]["utilization"] == 41.0


def test_an_idle_replay_first_is_replaced_by_the_next_answer(api, logged_in, tmp_path):
    base = time.time()
    api.set(U, Reply(200, usage_body(five=30.0, seven=41.0, now=base)))
    idle = transcript(tmp_path, 20 * 60)
    hook(hook_input(70.0, base + 6000, session="idle", transcript=idle))
    assert line_json()["age_seconds"] >= 20 * 60 - 5, "a replay is as old as the session's last traffic"
    seen = shows("5h 30%")  # the data is 20 minutes old: the line fetches, and the answer wins
    assert api.count(U) >= 1 and seen[-1].startswith("5h 30%")


def test_a_session_without_a_transcript_is_as_old_as_its_first_sight(api, logged_in):
    """No transcript to stat: the first time the hook saw these numbers for this session."""
    base = time.time()
    hook(hook_input(70.0, base + 6000, session="quiet"))
    time.sleep(6)
    api.set(U, Reply(200, usage_body(five=30.0, seven=41.0, now=base)))
    assert fetch().returncode == 0
    hook(hook_input(70.0, base + 6000, session="quiet"))  # the same numbers again: a replay
    assert line_json()["five_hour"]["utilization"] == 30.0


# --- 4. an active session's higher figure --------------------------------------------------------

def test_an_idle_session_stays_known_while_many_others_come_and_go(api, logged_in, tmp_path):
    """#27.15.3: more than 32 other session ids evicted an idle session's entry, so its next replay
    counted as new and its old numbers outranked the fresher ones."""
    base = time.time()
    hook(hook_input(70.0, base + 6000, session="idle"))  # first heard now; then it goes idle
    first = line_json()["age_seconds"]
    time.sleep(readings.CLOSE_S + 0.2)  # later than one moment: the others' numbers are newer
    for i in range(40):  # forty other sessions, each with numbers of its own
        line("--claude-code", "--no-refresh", input=hook_input(10.0 + i / 10, base + 6000, session=f"s{i}"))
    api.set(U, Reply(200, usage_body(five=30.0, seven=41.0, now=base)))
    assert fetch("--force").returncode == 0  # a fresh answer: 30 %
    out = strip_ansi(hook(hook_input(70.0, base + 6000, session="idle")))  # the idle one replays
    assert "5h 30%" in out, out  # its numbers are as old as their first sight, older than the answer
    assert first <= 1


def test_an_active_sessions_higher_figure_shows_at_once(api, logged_in, tmp_path):
    base = time.time()
    api.set(U, Reply(200, usage_body(five=30.0, seven=41.0, now=base)))
    assert fetch().returncode == 0
    time.sleep(CLOSE_GAP)
    busy = transcript(tmp_path, 0)  # it just heard from the API
    out = strip_ansi(hook(hook_input(45.0, base + 6000, session="busy", transcript=busy)))
    assert "5h 45%" in out, out
    doc = line_json()
    assert doc["five_hour"]["utilization"] == 45.0 and doc["five_hour"]["source"] == "claude-code"
    assert plain().startswith("5h 45%")


def test_an_active_sessions_lower_figure_wins_too(api, logged_in, tmp_path):
    """The same plan upgrade seen first by Claude Code: the newest answer is the truth."""
    base = time.time()
    api.set(U, Reply(200, usage_body(five=90.0, seven=41.0, now=base)))
    assert fetch().returncode == 0
    time.sleep(CLOSE_GAP)
    out = strip_ansi(hook(hook_input(20.0, base + 6000, session="busy", transcript=transcript(tmp_path, 0))))
    assert "5h 20%" in out, out


CLOSE_GAP = 5.5  # past readings.CLOSE_S: two observations this far apart are not one moment


# --- 5. a new login: lower figures, earlier resets -----------------------------------------------

def by_token(answers: dict[str, Reply]):
    def handler(req) -> Reply:
        token = req.headers.get("Authorization", "").removeprefix("Bearer ")
        return answers.get(token, Reply(401, {"type": "error", "error": {"type": "authentication_error"}}))
    return handler


def test_a_new_login_never_shows_the_previous_accounts_numbers(api, home):
    base = time.time()
    old, new = "sk-ant-oat01-OLD-account-token", "sk-ant-oat01-NEW-account-token"
    other = {"account": {**PROFILE_BODY["account"], "uuid": "acc-2222", "email": "grace@example.com"},
             "organization": PROFILE_BODY["organization"]}
    api.set_handler(U, by_token({old: Reply(200, usage_body(five=80.0, seven=60.0, now=base, five_reset_in=4 * 3600)),
                                 new: Reply(200, usage_body(five=10.0, seven=5.0, now=base, five_reset_in=1800,
                                                            seven_reset_in=86400))}))
    api.set_handler(P, by_token({old: Reply(200, PROFILE_BODY), new: Reply(200, other)}))
    write_credentials(home, token=old)
    assert fetch().returncode == 0
    assert plain().startswith("5h 80%")
    old_history = cache_view.history_dir(str(account_dir()))
    assert history.load(old_history)
    write_credentials(home, token=new)  # `claude /login` as another account; no ~/.claude.json
    # A session of the new login speaks before any fetch: whose numbers these are is not known
    # yet, so nothing of it is filed under the previous account.
    hook(hook_input(15.0, base + 1800, session="new-login", transcript=transcript(home, 0), seven=5.0))
    seen = shows("5h 10%")
    after = seen[next((i for i, s in enumerate(seen) if "80%" not in s), len(seen)):]
    assert all("80%" not in s and "60%" not in s for s in after), seen
    doc = line_json()
    assert (doc["five_hour"]["utilization"], doc["seven_day"]["utilization"]) == (10.0, 5.0)
    whole = json.loads(cli("--json").stdout)  # the panel's JSON: the new account's figures, its name
    print("json:", whole["usage"]["five_hour"]["utilization"], whole["usage"]["seven_day"]["utilization"],
          whole["profile"]["email"])
    assert (whole["usage"]["five_hour"]["utilization"], whole["usage"]["seven_day"]["utilization"]) == (10.0, 5.0)
    assert whole["profile"]["email"] == "grace@example.com"
    panel = cli(env=dict(os.environ, COLUMNS="70", NO_COLOR="1")).stdout
    assert "grace@example.com" in panel and "ada@example.com" not in panel, panel
    assert "10%" in panel and "80%" not in panel and "60%" not in panel, panel
    new_history = cache_view.history_dir(str(account_dir()))
    assert new_history != old_history
    assert {s[3] for s in history.load(new_history)} <= {10.0, 5.0}, "no sample of the old account"
    assert {s[3] for s in history.load(old_history)} <= {80.0, 60.0}, "no sample of the new login"
    assert "grace@example.com" in cli("doctor").stdout


# --- 6. the first line after a login, and refresh's word for ageing data -------------------------

def test_the_first_line_after_a_login_no_longer_says_no_credentials(api, home):
    assert fetch().returncode == 1  # no login yet
    assert "no credentials" in plain()
    write_credentials(home)
    first = plain()
    assert "no credentials" not in first, first
    shows("5h 78%")


def test_the_first_line_after_a_new_admin_key_no_longer_says_no_credentials(api, home, monkeypatch):
    assert fetch().returncode == 1
    assert "no credentials" in plain()
    monkeypatch.setenv("ANTHROPIC_ADMIN_API_KEY", "sk-ant-admin01-a-new-key-for-tests")
    first = plain()
    assert "no credentials" not in first, first


def test_refresh_never_calls_ageing_data_fresh(api, logged_in):
    """Another mode of this login (auto) hears a plan upgrade; `refresh --mode code` then takes
    that answer and shows it: it may say "nothing to fetch" only when what it shows is fresh."""
    state = {"five": 90.0, "base": time.time()}
    api.set_handler(U, lambda req: Reply(200, usage_body(five=state["five"], seven=41.0, now=state["base"])))
    assert fetch("--mode", "code").returncode == 0
    state["five"] = 20.0
    time.sleep(CLOSE_GAP)
    assert fetch("--force").returncode == 0  # the auto mode's fetch: the shared budget holds its answer
    calls = api.count(U)
    r = cli("refresh", "--mode", "code")
    doc = line_json(None, "--mode", "code")
    assert doc["five_hour"]["utilization"] == 20.0, (r.stdout, r.stderr, doc)
    if api.count(U) == calls:  # it took the other mode's answer rather than calling again
        assert "another mode" in r.stdout and doc["age_seconds"] <= 5, (r.stdout, doc)
    assert r.returncode == 0


# --- 7. history keeps only windows that are still current ----------------------------------------

def test_a_replay_of_windows_already_reset_adds_no_sample(logged_in):
    fixture = Path(__file__).parents[1] / "bench" / "statusline-input-2.1.332.json"
    data = json.loads(fixture.read_text())
    resets = [w.get("resets_at") for w in (data.get("rate_limits") or {}).values() if isinstance(w, dict)]
    assert resets and all(r < time.time() for r in resets), "the recorded input's resets are past"
    hook(fixture.read_text())
    hook(fixture.read_text())
    assert fetch().returncode in (0, 1)
    samples = history.load(cache_view.history_dir(str(account_dir())))
    assert not [s for s in samples if s[4] is not None and s[4] < time.time()], samples


def test_history_noted_before_the_account_was_known_moves_to_its_folder(api, logged_in, tmp_path):
    """The hook runs before any fetch: its samples wait in the config dir's account dir and move
    to the account's own folder as soon as the fetcher learns who the login is."""
    base = time.time()
    hook(hook_input(33.0, base + 6000, transcript=transcript(tmp_path, 0)))
    root = account_dir()
    assert cache_view.account_key(str(root)) is None
    assert {s[3] for s in history.load(root)} == {33.0, 41.0}
    api.set(U, Reply(200, usage_body(five=34.0, seven=41.0, now=base)))
    assert fetch("--force").returncode == 0
    own = cache_view.history_dir(str(root))
    assert own != str(root), "the account is known now"
    assert 33.0 in {s[3] for s in history.load(own)} and 34.0 in {s[3] for s in history.load(own)}
    assert not (root / history.HISTORY).exists() and not (root / history.PENDING).exists()


# --- bad input: the same rules for every source -------------------------------------------------

def bad_transcript(tmp_path: Path, kind: str) -> Path:
    tmp_path = projects()
    p = tmp_path / f"transcript-{kind}"
    if kind == "fifo":
        os.mkfifo(p)  # opening it would block forever: only ever stat'ed
    elif kind == "directory":
        p.mkdir()
    elif kind == "dangling":
        p.symlink_to(tmp_path / "gone.jsonl")
    elif kind == "unreadable":  # inside a directory nobody may enter (as root: a file mode 000)
        locked = tmp_path / "locked"
        locked.mkdir()
        p = locked / "t.jsonl"
        p.write_text("{}\n")
        p.chmod(0)
        locked.chmod(0)
    elif kind in ("outside", "dotdot", "link"):  # a transcript 20 minutes old, but not where
        elsewhere = Path(os.environ["HOME"]) / "elsewhere.jsonl"  # Claude Code keeps them: never
        elsewhere.write_text("{}\n")  # stat'ed, so the numbers count from their first sight
        os.utime(elsewhere, (time.time() - 1200, time.time() - 1200))
        if kind == "outside":
            p = elsewhere
        elif kind == "dotdot":
            p = tmp_path / ".." / ".." / ".." / "elsewhere.jsonl"
        else:  # a link in the projects folder, to a file (or a mount) elsewhere
            p.symlink_to(elsewhere)
    return p


@pytest.mark.parametrize("kind", ["fifo", "directory", "dangling", "unreadable", "outside", "dotdot", "link"])
def test_a_bad_transcript_path_never_blocks_nor_raises(api, logged_in, tmp_path, kind):
    """Not a regular file, or not reachable: no transcript time; the numbers count from the first
    time this session handed them over (now), and the hook answers at once."""
    path = bad_transcript(tmp_path, kind)
    try:
        t = time.monotonic()
        r = line("--claude-code", "--no-refresh", input=hook_input(44.0, time.time() + 6000, transcript=path), timeout=5)
        took = time.monotonic() - t
    finally:
        (projects() / "locked").exists() and (projects() / "locked").chmod(0o700)
    print(f"hook ({kind}):", strip_ansi(r.stdout).strip())
    assert r.returncode == 0 and r.stderr == "" and "Traceback" not in r.stdout, r.stderr
    assert took < 3, f"the hook took {took:.1f}s"
    assert "5h 44%" in strip_ansi(r.stdout)
    assert line_json()["age_seconds"] <= 5, "first seen now: as fresh as the first sight"


def test_a_transcript_stamped_in_the_future_counts_as_observed_now(api, logged_in, tmp_path):
    """A clock ahead (or a hostile touch) cannot make a reading outrank the next answer."""
    base = time.time()
    ahead = transcript(tmp_path, -86400)  # modified "tomorrow"
    hook(hook_input(60.0, base + 6000, session="ahead", transcript=ahead))
    assert line_json()["age_seconds"] >= 0
    time.sleep(CLOSE_GAP)
    api.set(U, Reply(200, usage_body(five=25.0, seven=41.0, now=base)))
    assert fetch("--force").returncode == 0
    assert plain().startswith("5h 25%")


@pytest.mark.parametrize("sid", ["huge", "hostile", "missing", "not-a-string"])
def test_a_session_id_is_only_a_bounded_key_never_shown(api, logged_in, cache_dir, sid):
    value = {"huge": "S" * 500_000, "hostile": "\x1b]52;c;cHduZWQ=\x07../../etc/passwd\n#(rm -rf ~)",
             "missing": None, "not-a-string": {"nested": ["x"] * 1000}}[sid]
    doc = json.loads(hook_input(52.0, time.time() + 6000))
    if value is None:
        del doc["session_id"]
    else:
        doc["session_id"] = value
    for _ in range(2):  # the second sight of the same numbers keeps the first one's time
        r = line("--claude-code", "--no-refresh", input=json.dumps(doc), timeout=5)
        assert r.returncode == 0 and r.stderr == "", r.stderr
        assert "5h 52%" in strip_ansi(r.stdout)
    print(f"hook (session_id {sid}):", strip_ansi(r.stdout).strip())
    for needle in ("SSSSSSSS", "etc/passwd", "rm -rf", "nested"):
        assert needle not in r.stdout
        for f in cache_dir.rglob("*"):
            if f.is_file():
                assert needle.encode() not in f.read_bytes(), f"the session id reached {f}"
    from statusline.cache import safefiles

    sessions = safefiles.load_marshal(str(account_dir() / "sessions.bin"))
    assert len(sessions) == 1 and all(len(k) <= 16 for k in sessions), sessions
    assert "sessions" not in cache_view.read_harvest(str(account_dir() / "harvest.bin"))  # the line reads less


# --- local only: the usage API off ---------------------------------------------------------------

def test_usage_api_off_makes_no_call_and_lives_on_claude_codes_input(api, logged_in, home, tmp_path):
    cfg = home / ".config" / "claude-usage" / "config.toml"
    cfg.parent.mkdir(parents=True, exist_ok=True)
    cfg.write_text("[sources]\nusage_api = false\n")
    (home / ".claude.json").write_text(json.dumps({"oauthAccount": {
        "accountUuid": "acc-local", "emailAddress": "ada@local.example", "organizationName": "Engines"}}))
    base = time.time()
    out = strip_ansi(hook(hook_input(33.0, base + 6000, transcript=transcript(tmp_path, 0))))
    assert "5h 33%" in out
    for _ in range(3):
        plain()
    assert fetch("--force").returncode in (0, 1)
    cli("refresh")
    doc = json.loads(cli("--json").stdout)
    assert doc is not None
    doctor = cli("doctor").stdout
    assert "usage API: off" in doctor and "account: ada@local.example" in doctor, doctor
    panel = cli(env=dict(os.environ, COLUMNS="70", NO_COLOR="1")).stdout
    assert "ada@local.example" in panel and "33%" in panel, panel
    time.sleep(1.0)  # any background fetch the line started has had its chance to call
    print("api calls:", api.count(U), "usage,", api.count(P), "profile")
    assert api.count(U) == 0 and api.count(P) == 0, [r.path for r in api.requests]
    assert line_json()["five_hour"]["utilization"] == 33.0


def test_usage_api_off_from_the_environment(api, logged_in, monkeypatch):
    monkeypatch.setenv("CLAUDE_USAGE_API", "off")
    assert fetch("--force").returncode in (0, 1)
    plain()
    cli("refresh")
    time.sleep(1.0)
    print("api calls:", len(api.requests))
    assert api.requests == []


# --- every account at a glance -------------------------------------------------------------------

def test_two_accounts_side_by_side_in_all(api, home, tmp_path):
    base = time.time()
    a, b = "sk-ant-oat01-ADA-account-token", "sk-ant-oat01-GRACE-account-token"
    grace = {"account": {**PROFILE_BODY["account"], "uuid": "acc-2222", "full_name": "Grace Hopper",
                         "email": "grace@example.com"}, "organization": PROFILE_BODY["organization"]}
    api.set_handler(U, by_token({a: Reply(200, usage_body(five=81.0, seven=40.0, now=base)),
                                 b: Reply(200, usage_body(five=12.0, seven=7.0, now=base))}))
    api.set_handler(P, by_token({a: Reply(200, PROFILE_BODY), b: Reply(200, grace)}))
    write_credentials(home, token=a)
    work = tmp_path / "work-claude"
    (work).mkdir()
    (work / ".credentials.json").write_text((home / ".claude" / ".credentials.json").read_text().replace(a, b))
    (work / ".credentials.json").chmod(0o600)
    other = dict(os.environ, CLAUDE_CONFIG_DIR=str(work))
    assert fetch().returncode == 0
    # The other config dir is only ever seen by Claude Code's hook, which starts its own fetch.
    r = line("--claude-code", env=other, input=hook_input(12.0, base + 6000, seven=7.0))
    assert r.returncode == 0, r.stderr
    poll("--all to list the hook's config dir", lambda: json.loads(cli("--all", "--json").stdout)["accounts"],
         lambda accts: {d["config_dir"] for d in accts} == {str(home / ".claude"), str(work)}
         and all(d["profile"] for d in accts), SHOW_S, every=0.5)
    time.sleep(1.0)  # the hook's background fetch has finished its calls
    calls = len(api.requests)
    doc = json.loads(cli("--all", "--json").stdout)
    assert doc["kind"] == "accounts"
    got = {d["profile"]["email"]: (d["usage"]["five_hour"]["utilization"], d["config_dir"]) for d in doc["accounts"]}
    print("--all --json:", "; ".join(f"{e} 5h {u:g}% in {d}" for e, (u, d) in sorted(got.items())))
    assert got == {"ada@example.com": (81.0, str(home / ".claude")), "grace@example.com": (12.0, str(work))}
    panel = cli("--all", env=dict(os.environ, COLUMNS="70")).stdout
    assert "ada@example.com" in panel and "grace@example.com" in panel and str(work) in panel
    assert "81%" in panel and "12%" in panel
    print("api calls during --all:", len(api.requests) - calls)
    assert len(api.requests) == calls, "--all reads the cache only"
    # Each login's own line still shows only its own numbers.
    assert plain().startswith("5h 81%")
    theirs = line("--format", "plain", env=other).stdout.strip()
    print("line (CLAUDE_CONFIG_DIR=work):", theirs)
    assert theirs.startswith("5h 12%")
