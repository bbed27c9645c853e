"""The whole Claude Code line (#26): every item from Claude Code's recorded 2.1.332 input, the
layout (order, rows, width), used or left, the two ways of counting the context, and git read
from the repository without a process. The real hook, as a process."""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from pathlib import Path

import pytest
from helpers import line

# What Claude Code 2.1.332 itself piped to a statusLine command (bench/ times the hook with it too)
FIXTURE = Path(__file__).resolve().parents[2] / "bench" / "statusline-input-2.1.332.json"
EVERY = "model,effort,context,tokens,cost,duration,lines,git,repo,pr,session,cache,vim,agent,style,cwd"
SGR = re.compile(r"\x1b\[[0-9;]*m")


def recorded(repo: Path | None = None, **extra) -> dict:
    """The input Claude Code 2.1.332 piped to a statusLine command, its resets moved ahead of now
    and its folders at ``repo``."""
    data = json.loads(FIXTURE.read_text())
    now = int(time.time())
    data["rate_limits"]["five_hour"]["resets_at"] = now + 5970  # 1h39m for a few seconds yet
    data["rate_limits"]["seven_day"]["resets_at"] = now + 250000
    if repo is not None:
        data["cwd"] = data["workspace"]["current_dir"] = data["workspace"]["project_dir"] = str(repo)
    for key, value in extra.items():
        data[key] = value
    return data


def hook(data: dict, *args: str, env: dict | None = None) -> list[str]:
    r = line("--claude-code", "--no-refresh", *args, input=json.dumps(data), env=env)
    assert r.returncode == 0 and "Traceback" not in r.stderr, r
    return [SGR.sub("", row) for row in r.stdout.rstrip("\n").split("\n")]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A real git repository (``git init``, the branch ``feature/login``), as Claude Code's cwd."""
    where = tmp_path / "proj"
    where.mkdir()
    subprocess.run(["git", "init", "-q", "-b", "feature/login", str(where)], check=True)
    return where


def test_the_default_shows_the_limits_the_model_the_context_and_the_branch(logged_in, repo):
    rows = hook(recorded(repo))
    assert rows == ["5h 37% \u23f01h39m \u00b7 7d 61% \u00b7 Opus 5.5 \u00b7 ctx 0% \u00b7 \u2387 feature/login"], rows


def test_every_item_of_the_recorded_input(logged_in, repo):
    """The recorded 2.1.332 input with every item on: each item its example, the absent ones
    (no PR, no session name, no agent, the default output style, no vim) left out without a word."""
    rows = hook(recorded(repo), "--show", EVERY)
    assert rows == ["5h 37% \u23f01h39m \u00b7 7d 61% \u00b7 Opus 5.5 \u00b7 ctx 0% \u00b7 \u2387 feature/login"
                    " \u00b7 medium \u273b \u00b7 12/1M \u00b7 $0.00 \u00b7 2s \u00b7 +0 \u22120 \u00b7 cache cold"
                    " \u00b7 proj"], rows


def test_each_item_with_its_field_present(logged_in, repo):
    now = time.time()
    data = recorded(repo, session_name="payments refactor", agent={"name": "code-architect"},
                    output_style={"name": "Explanatory"}, vim={"mode": "NORMAL"}, fast_mode=True,
                    pr={"number": 4242, "url": "https://github.com/o/r/pull/4242", "review_state": "changes_requested"},
                    prompt_cache={"warm": True, "expires_at": now + 245, "ttl": "5m"},
                    cost={"total_cost_usd": 1.234, "total_duration_ms": 12 * 60000 + 5000, "total_lines_added": 120,
                          "total_lines_removed": 30})
    data["workspace"]["repo"] = {"host": "github.com", "owner": "anthropics", "name": "claude-code"}
    data["context_window"].update(context_window_size=200000, used_percentage=62, total_input_tokens=124000,
                                  current_usage=None)
    data["effort"] = {"level": "high"}
    rows = hook(data, "--show", EVERY)
    want = ["Opus 5.5", "ctx 62%", "\u2387 feature/login", "high \u273b \u21af", "124k/200k", "$1.23", "12m",
            "+120 \u221230", "anthropics/claude-code", "#4242 \u2717", "payments refactor", "cache 4m", "NORMAL",
            "code-architect", "Explanatory", "proj"]
    assert rows[0].split(" \u00b7 ")[2:] == want, rows
    ascii_rows = hook(data, "--show", EVERY, "--glyphs", "ascii")
    assert "git:feature/login" in ascii_rows[0] and "+120 -30" in ascii_rows[0] and "#4242 x" in ascii_rows[0]


def test_rows_numbers_left_and_the_usable_context(logged_in, repo, home):
    config = home / ".config" / "claude-usage" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('[line]\nrows = [["five_hour", "seven_day"], ["model", "context", "git"]]\n'
                      'numbers = "left"\ncontext = "usable"\n')
    data = recorded(repo)
    data["context_window"].update(context_window_size=200000, total_input_tokens=100200, current_usage=None)
    rows = hook(data)
    # 100 200 of the 167 000 tokens where auto-compact starts (200k less 20k for the answer, less 13k)
    assert rows == ["5h 63% left \u23f01h39m \u00b7 7d 39% left", "Opus 5.5 \u00b7 ctx 60% \u00b7 \u2387 feature/login"], rows
    # CLAUDE_AUTOCOMPACT_PCT_OVERRIDE can only lower that point: 50 % of the effective 180k is 90k
    lowered = hook(data, env=dict(os.environ, CLAUDE_AUTOCOMPACT_PCT_OVERRIDE="50"))
    assert "ctx 111%" in lowered[1], lowered
    assert hook(data, env=dict(os.environ, CLAUDE_USAGE_NUMBERS="used"))[0].startswith("5h 37% ")


def test_a_narrow_terminal_drops_the_lowest_priority_items_never_the_limits(logged_in, repo):
    data = recorded(repo)
    wide = hook(data, "--show", "cost,duration,cwd", env=dict(os.environ, COLUMNS="200"))[0]
    assert wide.endswith("\u2387 feature/login \u00b7 $0.00 \u00b7 2s \u00b7 proj"), wide
    narrow = hook(data, "--show", "cost,duration,cwd", env=dict(os.environ, COLUMNS="50"))[0]
    assert narrow == "5h 37% \u23f01h39m \u00b7 7d 61% \u00b7 Opus 5.5 \u00b7 ctx 0%", narrow  # cwd, 2s, $, git went
    tiny = hook(data, "--show", "cost,duration,cwd", env=dict(os.environ, COLUMNS="20"))[0]
    assert tiny == "5h 37% \u23f01h39m \u00b7 7d 61%", tiny  # the limits stay, whatever the width


def test_wide_characters_count_two_cells(logged_in, repo):
    data = recorded(repo, session_name="\u6f22\u5b57\u6f22\u5b57")  # 4 wide characters: 8 cells
    full = hook(data, "--show", "session", env=dict(os.environ, COLUMNS="200"))[0]
    cells = len(full) + 1 + 4  # ⏰ and the four ideographs take two cells each
    margin = 2  # Claude Code draws its rows two cells in
    assert hook(data, "--show", "session", env=dict(os.environ, COLUMNS=str(cells + margin)))[0] == full
    assert "\u6f22" not in hook(data, "--show", "session", env=dict(os.environ, COLUMNS=str(cells + margin - 1)))[0]


def test_hide_and_order_of_every_item(logged_in, repo, home):
    config = home / ".config" / "claude-usage" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('[line]\nitems = ["git", "seven_day", "model", "five_hour"]\n')
    assert hook(recorded(repo)) == ["\u2387 feature/login \u00b7 7d 61% \u00b7 Opus 5.5 \u00b7 5h 37%"]
    assert hook(recorded(repo), "--hide", "git,model") == ["7d 61% \u00b7 5h 37%"]
    # tmux and the prompts have no session: their line keeps the limits alone, in that order
    r = line("--format", "plain", "--no-refresh")
    assert r.stdout.strip() == "7d 61% \u00b7 5h 37%", r.stdout


def test_git_from_a_worktree_and_a_detached_head(logged_in, repo, tmp_path):
    subprocess.run(["git", "-C", str(repo), "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-q",
                    "--allow-empty", "-m", "one"], check=True)
    linked = tmp_path / "linked"
    subprocess.run(["git", "-C", str(repo), "worktree", "add", "-q", "-b", "fix/crash", str(linked)], check=True)
    assert hook(recorded(linked))[0].endswith("\u2387 fix/crash")
    (linked / "sub" / "deeper").mkdir(parents=True)
    assert hook(recorded(linked / "sub" / "deeper"))[0].endswith("\u2387 fix/crash")  # found walking up
    sha = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    subprocess.run(["git", "-C", str(repo), "checkout", "-q", "--detach"], check=True)
    assert hook(recorded(repo))[0].endswith("\u2387 " + sha[:7])
    # The input's own branch (a --worktree session) is taken before the repository's
    assert hook(recorded(repo, worktree={"name": "w1", "branch": "from-input"}))[0].endswith("\u2387 from-input")
