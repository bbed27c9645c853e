"""The config file: every key optional, the environment wins, each value knows its origin.

`claude-usage config` runs as a real process on a real file under the test's own HOME; the
compiled dict is what the fetcher will keep for the line (marshal-safe, no TOML on the hot path).
"""

from __future__ import annotations

import marshal
import os
import subprocess
import time
from pathlib import Path

import pytest
from helpers import LINE, cli

from statusline.cache import config

MINE = ("XDG_CONFIG_HOME", "CLAUDE_USAGE_CONFIG", "CLAUDE_USAGE_GLYPHS")


@pytest.fixture(autouse=True)
def clean(monkeypatch: pytest.MonkeyPatch) -> None:
    for k in MINE:
        monkeypatch.delenv(k, raising=False)


def write(home: Path, text: str, xdg: Path | None = None) -> Path:
    path = (xdg or home / ".config") / "claude-usage" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


FULL = """
ttl = 60
console_ttl = 600
profile_ttl = 7200
http_timeout = 5
glyphs = "ascii"
email = "ada@example.com"

[thresholds]
warn = 40
high = 70
crit = 95

[line]
items = ["seven_day", "five_hour", "pace"]
style = "powerline"
theme = "nord"

[notify]
at = [95, 80, 99.5]

[sources]
usage_api = false

[tmux]
ok = "fg=colour22"
crit = "fg=colour160,bold"
"""


def test_no_file_means_defaults_everywhere(home: Path) -> None:
    s = config.load(env={"HOME": str(home)})
    assert s.path == str(home / ".config" / "claude-usage" / "config.toml")
    assert s == config.Settings(path=s.path)
    assert all(s.origin(k) == "default" for k in config.KEYS) and s.problems == ()
    assert s.thresholds == config.Thresholds(50, 80, 100) and s.line_items[:2] == ("five_hour", "seven_day")


def test_every_key_from_the_file_and_the_environment_wins(home: Path) -> None:
    path = write(home, FULL)
    env = {"HOME": str(home)}
    s = config.load(env=env)
    assert s.problems == ()
    assert (s.ttl, s.console_ttl, s.profile_ttl, s.http_timeout) == (60, 600, 7200, 5)
    assert s.glyphs == "ascii" and s.email == "ada@example.com"
    assert s.thresholds == config.Thresholds(40, 70, 95)
    assert s.line_items == ("seven_day", "five_hour", "pace") and s.notify_at == (80, 95, 99.5)
    assert (s.line_style, s.line_theme) == ("powerline", "nord")
    assert dict(s.tmux) == {"ok": "fg=colour22", "crit": "fg=colour160,bold"}
    assert s.usage_api is False
    assert {k for k in config.KEYS if s.origin(k) == "file"} == set(config.KEYS) - {
        "tmux.warn", "tmux.high", "tmux.stale", "line.rows", "line.numbers", "line.context", "sources.status"}
    won = config.load(env={**env, "CLAUDE_USAGE_TTL": "15", "CLAUDE_USAGE_EMAIL": "me@example.com",
                           "CLAUDE_USAGE_GLYPHS": "plain", "CLAUDE_USAGE_API": "on"})
    assert (won.ttl, won.email, won.glyphs, won.usage_api) == (15, "me@example.com", "plain", True)
    assert won.origin("ttl") == won.origin("email") == won.origin("glyphs") == "env"
    assert won.origin("console_ttl") == "file"
    assert config.load(env={"HOME": str(home), "CLAUDE_USAGE_CONFIG": str(path)}).ttl == 60


def test_xdg_config_home(home: Path, tmp_path: Path) -> None:
    xdg = tmp_path / "xdg"
    write(xdg.parent, "ttl = 45\n", xdg=xdg)
    assert config.load(env={"HOME": str(home), "XDG_CONFIG_HOME": str(xdg)}).ttl == 45
    # a relative XDG_CONFIG_HOME is invalid by the spec: ~/.config is used
    assert config.default_path({"HOME": str(home), "XDG_CONFIG_HOME": "rel"}) == \
        home / ".config" / "claude-usage" / "config.toml"


@pytest.mark.parametrize("text, problem", [
    ("ttl = [", "is not valid TOML"),
    ("ttl = -3", "ttl = -3 is not a number of seconds"),
    ("glyphs = 'fancy'", "glyphs = 'fancy' is not emoji | plain | ascii"),
    ("colour = 1", "unknown key colour"),
    ("[line]\nitems = ['five_hour', 'weather']", "line.items"),
    ("[thresholds]\nwarn = 90", "thresholds must rise"),
    ("[tmux]\nok = '#[fg=red]'", "tmux.ok"),
    ("[notify]\nat = ['x']", "notify.at"),
    ("line = 3", "[line] must be a table"),
])
def test_bad_values_are_problems_and_fall_back(home: Path, text: str, problem: str) -> None:
    write(home, text)
    s = config.load(env={"HOME": str(home)})
    assert any(problem in p for p in s.problems), s.problems
    default = config.Settings(path=s.path)
    assert (s.ttl, s.glyphs, s.thresholds, s.line_items, s.tmux, s.notify_at) == (
        default.ttl, default.glyphs, default.thresholds, default.line_items, default.tmux, default.notify_at)


def test_a_bad_environment_value_is_a_problem_and_the_file_holds(home: Path) -> None:
    write(home, "ttl = 60\n")
    s = config.load(env={"HOME": str(home), "CLAUDE_USAGE_TTL": "soon"})
    assert s.ttl == 60 and s.origin("ttl") == "file"
    assert any("CLAUDE_USAGE_TTL='soon'" in p for p in s.problems)


def test_compile_is_plain_and_the_signature_follows_the_file(home: Path) -> None:
    path = write(home, FULL)
    s = config.load(env={"HOME": str(home)})
    compiled = config.compile(s)
    assert marshal.loads(marshal.dumps(compiled)) == compiled
    assert compiled["thresholds"] == (40, 70, 95) and compiled["items"] == ("seven_day", "five_hour", "pace")
    assert compiled["glyphs"] == "ascii" and compiled["tmux"]["ok"] == "fg=colour22"
    sig = config.signature(path)
    assert compiled["sig"] == sig and sig is not None
    time.sleep(0.01)
    path.write_text(FULL + "\n# edited\n")
    assert config.signature(path) != sig
    assert config.signature(home / "nothing.toml") is None


def test_claude_usage_config_prints_values_and_origins(home: Path) -> None:
    path = write(home, FULL.replace('email = "ada@example.com"\n', ""))
    r = cli("config", env={**os.environ, "CLAUDE_USAGE_TTL": "12"})
    assert r.returncode == 0, r.stdout + r.stderr
    out = r.stdout
    assert f"config file: {path} (found)" in out
    rows = {ln.split("=")[0].strip(): ln for ln in out.splitlines() if ln.startswith("  ")}
    assert rows["ttl"].rstrip().endswith("(env CLAUDE_USAGE_TTL)") and "= 12 " in rows["ttl"]
    assert rows["glyphs"].rstrip().endswith("(file)") and '"ascii"' in rows["glyphs"]
    assert rows["email"].rstrip().endswith("(default)") and "(unset)" in rows["email"]
    assert '["seven_day", "five_hour", "pace"]' in rows["line.items"]
    assert rows["tmux.warn"].rstrip().endswith("(default)")
    path.write_text("ttl = 'often'\n")
    bad = cli("config")
    assert bad.returncode == 1 and "problem:" in bad.stdout and "Traceback" not in bad.stderr


def test_the_line_never_parses_toml(home: Path) -> None:
    write(home, FULL)
    r = subprocess.run([LINE, "--no-refresh"], capture_output=True, text=True, timeout=20,
                       env={**os.environ, "PYTHONPROFILEIMPORTTIME": "1"})
    assert r.returncode == 0
    imported = r.stderr
    assert "import time:" in imported, "no import trace"
    assert "tomllib" not in imported and "tomli" not in imported and "statusline.cache.config" not in imported


def test_the_line_follows_the_config_file_and_notices_a_change(home: Path, warm) -> None:
    """Thresholds, items and glyphs reach the line through the view the fetcher compiles; an
    edited file is noticed by its signature at the next call, with no TOML on the hot path."""
    from helpers import fetch, line, wait_for

    assert line("--format", "plain", "--no-refresh").stdout.strip().startswith("5h 78% \u23f0")
    path = write(home, 'glyphs = "ascii"\n[thresholds]\nwarn = 90\nhigh = 95\ncrit = 99\n'
                       '[line]\nitems = ["seven_day", "five_hour"]\n')
    # Each wait polls the condition; the generous deadline only matters on a loaded machine.
    wait_for(lambda: line("--format", "plain").stdout.strip() == "7d 41% | 5h 78%", timeout=60)
    assert "\x1b[32m5h 78%" in line("--no-refresh").stdout, "78 % is below the configured warn of 90"
    # The line starts at most one fetcher per debounce (10 s): end it, as if that time had passed.
    from statusline.cache import paths, spawn

    (paths.resolve().account_dir("auto") / spawn.STAMP).unlink(missing_ok=True)
    path.write_text('[line]\nitems = ["five_hour", "reset"]\n')
    wait_for(lambda: line("--format", "plain").stdout.strip().startswith("5h 78% \u23f0")
             and "7d" not in line("--format", "plain", "--no-refresh").stdout, timeout=60)
    assert fetch().returncode == 0


def test_config_tmux_styles_reach_the_bar_and_the_plugins_options_win(home: Path, warm, monkeypatch) -> None:
    from helpers import fetch, line

    write(home, '[tmux]\nwarn = "fg=colour16,bg=colour226"\nok = "none"\n')
    assert fetch("--force").returncode == 0
    out = line("--format", "tmux", "--no-refresh").stdout
    assert "#[fg=colour16,bg=colour226]5h 78%#[default]" in out and "7d 41%" in out
    assert "#[fg=colour231,bg=colour22]7d" not in out, "ok = none: the bar's own colours"
    env = dict(os.environ, CLAUDE_USAGE_TMUX_STYLES="warn=fg=colour231,bg=colour160")
    out = line("--format", "tmux", "--no-refresh", env=env).stdout
    assert "#[fg=colour231,bg=colour160]5h 78%" in out


def test_the_panel_colours_by_the_configured_thresholds(home: Path, warm) -> None:
    """config.toml's [thresholds] reach the panel (through watch.history_args) and colour its
    bars as they colour the line."""
    from statusline.cache import paths, store
    from statusline.commands import watch
    from statusline.render import panel

    p = paths.resolve()
    snap, _ = store.load_snapshot(p.account_dir("auto"))
    now = time.time()
    assert watch.history_args(p, "auto", dict(os.environ), now)["thresholds"] == (50.0, 80.0, 100.0)
    write(home, "[thresholds]\nwarn = 90\nhigh = 95\ncrit = 99\n")
    th = watch.history_args(p, "auto", dict(os.environ), now)["thresholds"]
    assert th == (90.0, 95.0, 99.0)

    def five_hour_row(thresholds) -> str:
        text = panel.render_text(snap, now, ttl=30, width=60, color=True, thresholds=thresholds)
        return next(ln for ln in text.splitlines() if "5-Hour:" in ln)

    assert five_hour_row((50.0, 80.0, 100.0)) != five_hour_row(th), "78 % is yellow by default, green below a warn of 90"
    assert five_hour_row(th) == five_hour_row((100.0, 100.0, 100.0)), "both read 78 % as ok"


def test_config_says_notifications_are_off_and_how_to_turn_them_on(home: Path) -> None:
    out = cli("config", env={k: v for k, v in os.environ.items() if k != "CLAUDE_USAGE_NOTIFY"}).stdout
    row = next(ln for ln in out.splitlines() if ln.strip().startswith("notify.at"))
    assert "= off" in row and "[notify] at = [80, 95]" in row and "CLAUDE_USAGE_NOTIFY" in row
    assert "80, 95] (default)" not in row
    on = cli("config", env={**os.environ, "CLAUDE_USAGE_NOTIFY": "90"}).stdout
    assert any(ln.strip().startswith("notify.at") and "env CLAUDE_USAGE_NOTIFY" in ln for ln in on.splitlines())


def test_config_lists_the_path_variables_in_its_columns(home: Path, tmp_path: Path) -> None:
    env = {**os.environ, "CLAUDE_USAGE_API_URL": "http://127.0.0.1:9", "CLAUDE_CONFIG_DIR": str(tmp_path / "cc")}
    out = cli("config", env=env).stdout.splitlines()
    rows = {ln.split("=")[0].strip(): ln for ln in out if ln.startswith("  ")}
    assert '"http://127.0.0.1:9"' in rows["CLAUDE_USAGE_API_URL"] and rows["CLAUDE_USAGE_API_URL"].endswith("(env)")
    assert rows["CLAUDE_USAGE_CACHE_DIR"].endswith("(env)")  # the tests set it
    assert str(tmp_path / "cc") in rows["CLAUDE_CONFIG_DIR"]
    assert len({ln.index("=") for ln in rows.values()}) == 1  # one column for the = signs


def test_a_clamped_value_says_so(home: Path) -> None:
    s = config.load(env={"HOME": str(home), "CLAUDE_USAGE_TTL": "1"})
    assert s.ttl == 5.0 and s.problems == ()
    assert s.clamped == ("CLAUDE_USAGE_TTL=1 is below the minimum of 5 seconds; 5 is used",)


@pytest.mark.parametrize("deep", ["[" * 500 + "]" * 500, "{a = " * 500 + "1" + "}" * 500])
def test_a_config_nested_hundreds_deep_breaks_nothing(api, logged_in, home, deep):
    """#27.13: a 1 KB config.toml nesting 500 levels ended refresh, config and the panel in a
    RecursionError traceback, and crashed the fetcher at every run, so the line stayed `claude …`."""
    from helpers import cli, line

    path = home / ".config" / "claude-usage" / "config.toml"
    path.parent.mkdir(parents=True)
    path.write_text("[line]\nitems = " + deep + "\n")
    for argv in (["refresh"], ["config"], [], ["doctor"]):
        r = cli(*argv)
        assert "Traceback" not in r.stderr + r.stdout and "RecursionError" not in r.stderr, (argv, r.stderr)
    assert "nests arrays or tables too deeply" in cli("config").stdout
    assert "5h 78%" in line("--format", "plain", "--no-refresh").stdout  # the fetch went through


def test_config_prints_toml_words_and_no_raw_controls(home, monkeypatch, tmp_path):
    """#27.7, #27.15.5: `config` printed Python's True/False, "is not percent values", and raw
    controls from the environment (doctor escapes the same values)."""
    path = home / ".config" / "claude-usage" / "config.toml"
    path.parent.mkdir(parents=True)
    path.write_text("[sources]\nusage_api = false\n[thresholds]\nwarn = 5000\n")
    monkeypatch.setenv("CLAUDE_USAGE_CACHE_DIR", str(tmp_path / "c\x1b]0;pwned\x07\x1b[2J"))
    out = cli("config").stdout
    assert "sources.usage_api" in out and "= false" in out and "False" not in out and "True" not in out, out
    assert "is not a percent from 0 to 1000" in out and "percent values" not in out
    assert "\x1b" not in out and "\x07" not in out and "c?]0;pwned??[2J" in out


def test_an_edit_of_config_toml_shows_at_the_very_next_line(warm, home):
    """#27.7: after config.toml changed, the next one to three calls still used the old settings
    (the fetcher compiled them into the view, at its own pace). Now the next call uses them; no
    fetcher runs here at all (--no-refresh)."""
    from helpers import line

    def shown() -> str:
        return line("--format", "plain", "--no-refresh").stdout.strip()

    assert shown().startswith("5h 78%")
    path = write(home, '[line]\nitems = ["seven_day", "five_hour"]\n')
    assert shown().startswith("7d 41%"), shown()
    path.write_text('[line]\nitems = ["five_hour"]\nglyphs_typo = 1\n')  # a new signature: compiled again
    assert shown().startswith("5h 78%") and "7d" not in shown(), shown()
    path.unlink()
    assert shown().startswith("5h 78%") and "7d 41%" in shown()
