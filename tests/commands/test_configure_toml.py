"""config.toml written back by ``claude-usage configure`` (``commands/configure_toml``, and the
save of ``commands/configure``): the user's comments and order kept, only the changed keys
touched, a short diff, atomic and private writes, nothing written that config.toml refuses, and
the very next ``claude-usage-line`` using the new file."""

from __future__ import annotations

import os
import stat
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from helpers import line

from statusline.cache import config
from statusline.commands import configure_model as model
from statusline.commands import configure_toml as writer

USERS = """\
# my claude-usage settings; keep this line
ttl = 60  # one minute is enough

[thresholds]  # colours
warn = 60
high = 85

# the line: what I look at
[line]
items = ["five_hour", "seven_day", "model"]  # the three I want
style = "plain"   # for now

[tmux]
ok = "fg=colour22"  # green
"""


def test_comments_order_and_untouched_keys_are_kept() -> None:
    new = writer.apply(USERS, {"line.items": ["seven_day", "model"], "line.style": "chips", "glyphs": "ascii",
                               "thresholds.crit": 99})
    old_lines, new_lines = USERS.splitlines(), new.splitlines()
    for kept in ("# my claude-usage settings; keep this line", "ttl = 60  # one minute is enough",
                 "[thresholds]  # colours", "# the line: what I look at", 'ok = "fg=colour22"  # green'):
        assert kept in new_lines, kept
    assert 'items = ["seven_day", "model"]  # the three I want' in new_lines  # the value's own comment too
    assert 'style = "chips"   # for now' in new_lines
    order = [ln for ln in new_lines if ln.startswith("[")]
    assert order == [ln for ln in old_lines if ln.startswith("[")]  # the tables in the user's order
    back = config.parse(new, "/x/config.toml")
    assert back.problems == () and back.ttl == 60 and back.glyphs == "ascii"
    assert (back.thresholds.warn, back.thresholds.high, back.thresholds.crit) == (60, 85, 99)
    assert back.line_items == ("seven_day", "model") and dict(back.tmux) == {"ok": "fg=colour22"}


def test_nothing_changed_is_the_same_text_and_a_removed_key_is_gone() -> None:
    assert writer.apply(USERS, {}) == USERS
    gone = writer.apply(USERS, {"line.style": None, "line.rows": None, "notify.at": None})
    assert gone == USERS.replace('style = "plain"   # for now\n', "")


def test_a_new_file_and_a_new_table() -> None:
    new = writer.apply("", {"line.rows": [["five_hour", "seven_day"], ["model"]], "line.items":
                            ["five_hour", "seven_day", "model"]})
    assert config.parse(new, "/x").line_rows == (("five_hour", "seven_day"), ("model",))
    assert new.count("[line]") == 1 and '    ["five_hour", "seven_day"],' in new  # a row a line
    dotted = writer.apply('line.style = "chips"\n', {"line.theme": "nord"})
    assert config.parse(dotted, "/x").line_theme == "nord" and 'line.style = "chips"' in dotted


def test_a_short_diff_names_what_changed() -> None:
    new = writer.apply(USERS, {"line.style": "powerline"})
    d = writer.diff(USERS, new)
    assert d[0].startswith("---") and d[1].startswith("+++")
    changed = [ln for ln in d[2:] if ln[:1] in "+-"]
    assert changed == ['-style = "plain"   # for now', '+style = "powerline"   # for now']
    assert len(d) <= 7  # one line of context either side
    assert writer.diff(USERS, USERS) == []


def test_what_is_not_toml_or_not_a_table_is_refused() -> None:
    with pytest.raises(ValueError):
        writer.apply("[line\nitems = 3", {"line.style": "chips"})
    with pytest.raises(ValueError, match="not a table"):
        writer.apply("line = 3\n", {"line.style": "chips"})


def test_save_is_atomic_private_keeps_a_mode_and_writes_through_a_link(tmp_path: Path) -> None:
    new = tmp_path / "fresh" / "claude-usage" / "config.toml"
    assert writer.save(str(new), "ttl = 30\n") == str(new)
    assert new.read_text() == "ttl = 30\n" and stat.S_IMODE(new.stat().st_mode) == 0o600
    assert stat.S_IMODE(new.parent.stat().st_mode) == 0o700
    shared = tmp_path / "dotfiles" / "config.toml"
    shared.parent.mkdir()
    shared.write_text("ttl = 40\n")
    shared.chmod(0o644)
    link = tmp_path / "link.toml"
    link.symlink_to(shared)
    assert writer.save(str(link), "ttl = 50\n") == str(shared)
    assert link.is_symlink() and shared.read_text() == "ttl = 50\n" and stat.S_IMODE(shared.stat().st_mode) == 0o644
    assert sorted(p.name for p in shared.parent.iterdir()) == ["config.toml"]  # no temp file left
    assert writer.read(str(tmp_path / "none.toml")) is None and writer.read(str(link)) == "ttl = 50\n"


# --- the app's save, without a terminal -------------------------------------------------------


@pytest.fixture
def session(home: Path):
    """A configure session on a config.toml of the user's (the app is not started)."""
    pytest.importorskip("prompt_toolkit")
    from statusline.commands import configure

    path = home / ".config" / "claude-usage" / "config.toml"
    path.parent.mkdir(parents=True)
    path.write_text(USERS)
    return configure.open_session(str(path), USERS, "auto", dict(os.environ)), path


def test_s_writes_the_change_keeps_the_comments_and_shows_the_diff(session) -> None:
    from statusline.commands import configure

    s, path = session
    assert s.state.cursor == 0 and s.state.entries[0].name == "five_hour"
    s.state = model.toggle(s.state)
    configure.save(s)
    text = path.read_text()
    assert 'items = ["seven_day", "model"]  # the three I want' in text
    assert "# my claude-usage settings; keep this line" in text and text.count("\n") == USERS.count("\n")
    said = [t for _, t in s.said]
    assert said[0].startswith("saved config.toml") and '+items = ["seven_day", "model"]  # the three I want' in said
    assert model.changes(s.original, s.state) == {} and s.saved and s.first_text == USERS
    configure.save(s)
    assert "nothing to save" in s.said[0][1] and path.read_text() == text


def test_s_puts_the_edits_onto_a_file_changed_meanwhile(session) -> None:
    from statusline.commands import configure

    s, path = session
    path.write_text(USERS.replace("ttl = 60", "ttl = 90"))  # another editor, while configure runs
    s.state = model.change(replace(s.state, section="settings"), 1)  # style: plain -> powerline
    configure.save(s)
    text = path.read_text()
    assert "ttl = 90" in text and 'style = "powerline"' in text and "changed on disk" in s.said[0][1]


def test_s_refuses_what_config_toml_would_not_take(session) -> None:
    from statusline.commands import configure

    s, path = session
    s.state = replace(s.state, thresholds=(90.0, 85.0, 100.0))  # not by an edit: the edits refuse it already
    configure.save(s)
    assert s.said[0][1].startswith("not saved: ") and "thresholds must rise" in s.said[0][1]
    assert path.read_text() == USERS


def test_the_next_line_uses_the_saved_file_at_once(warm, home: Path) -> None:
    """The compiled config (``config-<hash>.bin``) follows the file: a save that keeps its size
    (used -> left) is used by the very next claude-usage-line, with no fetcher (--no-refresh)."""
    path = home / ".config" / "claude-usage" / "config.toml"
    path.parent.mkdir(parents=True)
    path.write_text('# mine\n[line]\nnumbers = "used"  # for now\n')
    plain = ("--format", "plain", "--no-refresh")
    assert line(*plain).stdout.startswith("5h 78%")  # compiled now
    text = writer.apply(path.read_text(), {"line.numbers": "left"})
    assert len(text) == path.stat().st_size  # the same size: only the signature's time tells
    writer.save(str(path), text)
    assert line(*plain).stdout.startswith("5h 22% left"), line(*plain).stdout
    writer.save(str(path), writer.apply(text, {"line.items": ["seven_day"]}))
    assert line(*plain).stdout.strip() == "7d 59% left"
    hooked = line("--claude-code", "--no-refresh", input="{}", env=dict(os.environ, NO_COLOR="1"))
    assert hooked.stdout.strip() == "7d 59% left"  # Claude Code's next refresh too


def test_without_a_terminal_it_says_so_and_exits_2() -> None:
    import subprocess

    from helpers import CLI

    r = subprocess.run([CLI, "configure"], capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.strip() == "claude-usage configure: needs a terminal (stdin and stdout a terminal, TERM not dumb)"


@pytest.mark.parametrize("missing", ["prompt_toolkit", "tomlkit"])
def test_without_the_extra_it_says_how_to_install_it(missing: str) -> None:
    import subprocess

    code = (f"import sys; sys.modules[{missing!r}] = None\n"
            "from statusline.commands import cli\nsys.exit(cli.main(['configure']))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr.strip() == ("claude-usage configure needs the configure extra: "
                                "pip install 'claude-usage-line[configure]'")


def test_only_the_configurator_loads_its_extra() -> None:
    """The panel and the other commands never import prompt_toolkit or tomlkit."""
    import subprocess

    code = ("import sys\nfrom statusline.commands import cli, config, doctor, setup, watch, history, check\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('prompt_toolkit', 'tomlkit')))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.stdout.strip() == "[]", r.stderr
