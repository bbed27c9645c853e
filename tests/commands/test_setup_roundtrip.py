"""What ``setup`` writes, it takes back exactly (#27): an install followed by ``--uninstall``
gives back the user's files as they were, byte for byte, links and modes kept; the record of
what was written (``setup_record``) says what to take, never a guess from the file's shape.

Real files and real processes (``claude-usage``), from the empty HOME conftest gives each test;
the failures of a full disk are driven in-process, the one way to make a write fail on cue.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import stat
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from helpers import cli

REPO = Path(__file__).resolve().parents[2]
INTEGRATIONS = REPO / "integrations"

try:
    import tomllib  # Python >= 3.11
except ModuleNotFoundError:  # 3.10: the same parser, as tomli
    import tomli as tomllib


def data(home: Path) -> Path:
    return home / ".local" / "share" / "claude-usage"


def fast(home: Path) -> Path:
    return data(home) / "bin" / "claude-usage-line"


def record(home: Path) -> dict:
    return json.loads((data(home) / "setup-record.json").read_text())


def listing(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def settings_file(home: Path) -> Path:
    return home / ".claude" / "settings.json"


# --- Claude Code's settings.json ----------------------------------------------------------

@pytest.mark.parametrize("indent", [4, "\t", 2])
def test_claude_code_uninstall_gives_back_the_file_byte_for_byte(home: Path, indent) -> None:
    """Defect 1: refreshInterval stayed, padding appeared, four spaces came back two. The file
    setup left unchanged comes back as it was: indent, key order, the number as written, no
    final newline."""
    original = json.dumps({"model": "opus", "statusLine": {"type": "command", "command": "~/bin/mine.sh"},
                           "n": 1.0}, indent=indent).replace('"n": 1.0', '"n": 1e5')
    settings_file(home).write_text(original)
    r = cli("setup", "claude-code", "--install")
    assert r.returncode == 0, r.stderr
    installed = settings_file(home).read_text()
    unit = indent if isinstance(indent, str) else " " * indent
    assert f'{{\n{unit}"model": "opus",\n{unit}"statusLine": {{\n{unit}{unit}"type": "command"' in installed
    assert '"n": 1e5' in installed and not installed.endswith("\n")
    assert json.loads(installed)["statusLine"]["refreshInterval"] == 30
    r = cli("setup", "claude-code", "--uninstall")
    assert r.returncode == 0, r.stderr
    assert settings_file(home).read_text() == original
    assert "your own command is back: ~/bin/mine.sh" in r.stdout


def test_claude_code_uninstall_puts_back_the_old_entry_after_claude_code_rewrote_the_file(home: Path) -> None:
    """Claude Code rewrites settings.json for its own keys: the entry from before comes back
    exactly (no refreshInterval, padding 2, in its place), Claude Code's new key stays."""
    settings_file(home).write_text(json.dumps({
        "model": "opus", "statusLine": {"type": "command", "command": "~/bin/mine.sh", "padding": 2},
        "theme": "dark"}, indent=4) + "\n")
    assert cli("setup", "claude-code", "--install").returncode == 0
    doc = json.loads(settings_file(home).read_text())
    doc["feedbackSurveyState"] = {"lastShownTime": 1}  # as Claude Code writes it: two spaces
    settings_file(home).write_text(json.dumps(doc, indent=2) + "\n")
    r = cli("setup", "claude-code", "--uninstall")
    assert r.returncode == 0, r.stderr
    back = json.loads(settings_file(home).read_text())
    assert list(back) == ["model", "statusLine", "theme", "feedbackSurveyState"]
    assert back["statusLine"] == {"type": "command", "command": "~/bin/mine.sh", "padding": 2}
    assert settings_file(home).read_text().startswith('{\n  "model": "opus",\n  "statusLine": {\n    "type"')


def test_claude_code_uninstall_leaves_an_entry_the_user_changed_and_says_what_to_do(home: Path) -> None:
    settings_file(home).write_text('{"model": "opus"}\n')
    assert cli("setup", "claude-code", "--install").returncode == 0
    doc = json.loads(settings_file(home).read_text())
    doc["statusLine"]["padding"] = 5  # the user's own change to our entry
    settings_file(home).write_text(json.dumps(doc, indent=2) + "\n")
    theirs = settings_file(home).read_bytes()
    r = cli("setup", "claude-code", "--uninstall")
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "was changed since setup set it" in r.stderr and "by hand" in r.stderr and "--uninstall" in r.stderr
    assert settings_file(home).read_bytes() == theirs
    assert fast(home).exists()  # the entry still runs it
    doc.pop("statusLine")
    settings_file(home).write_text(json.dumps(doc))  # done by hand, as told
    r = cli("setup", "claude-code", "--uninstall")
    assert r.returncode == 0 and "nothing to take back" in r.stdout
    assert not data(home).exists()  # the record forgot it, and the fast launch went with it


def test_claude_code_uninstall_removes_a_settings_json_setup_created(home: Path) -> None:
    assert not settings_file(home).exists()
    assert cli("setup", "claude-code", "--install").returncode == 0
    r = cli("setup", "claude-code", "--uninstall")
    assert r.returncode == 0, r.stderr
    assert not settings_file(home).exists() and listing(home) == {".claude"}


def test_the_preview_and_print_show_the_command_install_writes(home: Path) -> None:
    """Defect 10: what ``setup claude-code`` shows is what ``--install`` then writes."""
    settings_file(home).write_text(json.dumps({"statusLine": {"type": "command", "command": "~/bin/mine.sh"}}))
    preview = cli("setup", "claude-code")
    then = json.loads(next(ln for ln in preview.stdout.splitlines() if ln.startswith("  then: "))[8:])
    printed = json.loads(cli("setup", "claude-code", "--print").stdout)["statusLine"]
    assert not fast(home).exists()  # neither wrote anything
    assert cli("setup", "claude-code", "--install").returncode == 0
    installed = json.loads(settings_file(home).read_text())["statusLine"]
    assert then == printed == installed
    assert installed["command"].split(" -IS ", 1)[1].startswith(f"{fast(home)}.pyc --claude-code --chain")


def test_an_unbalanced_quote_in_our_entry_is_said_not_kept(home: Path) -> None:
    """Defect 11: our own entry, hand-edited into something sh cannot read."""
    raw = json.dumps({"statusLine": {"type": "command", "command": "claude-usage-line --claude-code --chain 'echo"}})
    settings_file(home).write_text(raw)
    for flag in ("--install", "--uninstall"):
        r = cli("setup", "claude-code", flag)
        assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
        assert "not valid sh" in r.stderr and "nothing was changed" in r.stderr
        assert len(r.stderr.strip().splitlines()) == 1
        assert settings_file(home).read_text() == raw
    assert listing(home) == {".claude", ".claude/settings.json"}


def test_claude_code_install_says_what_changed_when_only_the_fast_launch_did(home: Path) -> None:
    """Defect 12: "nothing changed" after setup rewrote the fast launch."""
    assert cli("setup", "claude-code", "--install").returncode == 0
    r = cli("setup", "claude-code", "--install")
    assert r.returncode == 0 and "nothing changed" in r.stdout
    fast(home).write_text(fast(home).read_text() + "# older\n")
    before = settings_file(home).read_bytes()
    r = cli("setup", "claude-code", "--install")
    assert r.returncode == 0, r.stderr
    assert "nothing changed" not in r.stdout
    assert "fast launch was rewritten" in r.stdout and str(fast(home)) in r.stdout and "already names it" in r.stdout
    assert settings_file(home).read_bytes() == before and "# older" not in fast(home).read_text()


# --- Starship: a block appended to the user's file ----------------------------------------

MINE = '# my prompt\nadd_newline = false\n\n[character]\nsuccess_symbol = ">"\n'


def starship_toml(home: Path, text: str | None = MINE, mode: int = 0o644) -> Path:
    conf = home / ".config" / "starship.toml"
    conf.parent.mkdir(parents=True, exist_ok=True)
    if text is not None:
        conf.write_text(text)
        conf.chmod(mode)
    return conf


def test_starship_uninstall_takes_out_exactly_the_bytes_setup_appended(home: Path) -> None:
    """Defect 4: the record says what was appended; the user's comments and tables after it stay."""
    conf = starship_toml(home)
    assert cli("setup", "starship", "--install").returncode == 0
    written = conf.read_text()
    entry = record(home)["targets"]["starship"]["files"][0]
    assert entry["path"] == str(conf) and entry["link"] is None and entry["existed"] is True
    assert entry["mode"] == "0644" and entry["whole"] is False and MINE + entry["ours"] == written
    import hashlib

    assert entry["sha256"] == hashlib.sha256(written.encode()).hexdigest()
    assert str(fast(home)) in entry["ours"]  # the launcher's path as substituted in: matched as written
    rec = data(home) / "setup-record.json"
    assert stat.S_IMODE(rec.stat().st_mode) == 0o600 and stat.S_IMODE(data(home).stat().st_mode) == 0o700
    theirs = "\n# my git\n[git_branch]\nsymbol = \"b\"\n"
    conf.write_text(written + theirs)
    r = cli("setup", "starship", "--uninstall")
    assert r.returncode == 0, r.stderr
    assert conf.read_text() == MINE + theirs


def test_starship_uninstall_leaves_a_block_the_user_edited(home: Path) -> None:
    """Defect 4: cutting from our header to the next ``[`` left invalid TOML when the user made
    our format a multi-line string, and ate their comments. Now the file is not touched, and the
    message says what to remove by hand."""
    conf = starship_toml(home)
    assert cli("setup", "starship", "--install").returncode == 0
    edited = conf.read_text().replace('format = "$output "', 'format = """\n[$output](bold) \n"""') \
        + "\n# keep me\n[git_branch]\nsymbol = \"b\"\n"
    conf.write_text(edited)
    tomllib.loads(edited)
    r = cli("setup", "starship", "--uninstall")
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert conf.read_text() == edited and not list(conf.parent.glob("starship.toml.bak-*"))
    assert "[custom.claude_usage]" in r.stderr and "by hand" in r.stderr and "left as it is" in r.stderr
    assert fast(home).exists()  # the edited block still runs it


def test_a_symlinked_starship_toml_is_uninstalled_through_its_link(home: Path, tmp_path: Path) -> None:
    """Defect 3: installed through the link, uninstall said "not there"."""
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir()
    real = dotfiles / "starship.toml"
    real.write_text(MINE)
    real.chmod(0o640)
    conf = starship_toml(home, None)
    os.symlink(real, conf)
    assert cli("setup", "starship", "--install").returncode == 0
    assert record(home)["targets"]["starship"]["files"][0]["link"] == str(conf)
    r = cli("setup", "starship", "--uninstall")
    assert r.returncode == 0 and "not there" not in r.stdout, r.stdout
    assert conf.is_symlink() and os.readlink(conf) == str(real)
    assert real.read_text() == MINE and stat.S_IMODE(real.stat().st_mode) == 0o640


def test_uninstall_keeps_the_mode_of_a_file_it_rewrites(home: Path) -> None:
    """Defect 6: the atomic write made a 0644 starship.toml 0600."""
    conf = starship_toml(home, mode=0o644)
    assert cli("setup", "starship", "--install").returncode == 0
    assert stat.S_IMODE(conf.stat().st_mode) == 0o644
    assert cli("setup", "starship", "--uninstall").returncode == 0
    assert conf.read_text() == MINE and stat.S_IMODE(conf.stat().st_mode) == 0o644


def test_uninstall_removes_a_starship_toml_install_created(home: Path) -> None:
    """Defect 6: a file install created is removed, not left as 0 bytes; and its folders (8)."""
    assert cli("setup", "starship", "--install").returncode == 0
    assert (home / ".config" / "starship.toml").exists()
    r = cli("setup", "starship", "--uninstall")
    assert r.returncode == 0, r.stderr
    assert listing(home) == {".claude"}, r.stdout


def test_starship_install_refuses_to_make_valid_toml_invalid(home: Path) -> None:
    conf = starship_toml(home, MINE + "[custom]\nclaude_usage = { command = \"x\" }\n")
    before = conf.read_bytes()
    r = cli("setup", "starship", "--install")
    assert r.returncode == 1 and "not be valid TOML" in r.stderr and conf.read_bytes() == before, r.stderr
    assert not data(home).exists()


# --- Whole plugin files ------------------------------------------------------------------

@pytest.mark.parametrize("target, where", [
    ("tmux", ".config/tmux/claude-usage.tmux"),
    ("zsh", ".config/claude-usage/claude-usage.plugin.zsh"),
])
def test_reinstall_moves_a_plugin_the_user_edited_aside(target: str, where: str, home: Path) -> None:
    """Defect 5: a second --install overwrote the user's edit with no backup."""
    assert cli("setup", target, "--install").returncode == 0
    path = home / where
    shipped = path.read_text()
    path.write_text(shipped + "# my change\n")
    r = cli("setup", target, "--install")
    assert r.returncode == 0, r.stderr
    kept = list(path.parent.glob(path.name + ".bak-*"))
    assert len(kept) == 1 and kept[0].read_text() == shipped + "# my change\n"
    assert f"moved to {kept[0]}" in r.stdout and path.read_text() == shipped
    assert cli("setup", target, "--install").stdout.count("moved to") == 0  # unchanged since: no new backup


def test_a_file_of_the_users_in_the_way_is_moved_aside_and_put_back(home: Path) -> None:
    path = home / ".config" / "fish" / "conf.d" / "claude-usage.fish"
    path.parent.mkdir(parents=True)
    path.write_text("# my own\n")
    r = cli("setup", "fish", "--install")
    assert r.returncode == 0 and "was there already" in r.stdout, r.stdout
    assert cli("setup", "fish", "--uninstall").returncode == 0
    assert path.read_text() == "# my own\n" and listing(path.parent) == {"claude-usage.fish"}


@pytest.mark.parametrize("target, rc, line", [
    ("zsh", "~/.zshrc", "source {}"),
    ("bash", "~/.bashrc", "source {}"),
    ("tmux", "tmux.conf", "run-shell {}"),
])
def test_uninstall_says_which_line_loads_it_still(target: str, rc: str, line: str, home: Path) -> None:
    """Defect 12: the shell's rc file still sources a file that is gone."""
    r = cli("setup", target, "--install")
    path = next(ln[len("wrote "):] for ln in r.stdout.splitlines() if ln.startswith("wrote "))
    r = cli("setup", target, "--uninstall")
    assert r.returncode == 0 and f"remove the line {line.format(path)} from {rc}" in r.stdout, r.stdout


def test_uninstall_removes_the_folders_it_created_and_no_other(home: Path) -> None:
    """Defect 8: empty folders were left behind; one that was there before stays."""
    for target in ("tmux", "zsh", "fish"):
        assert cli("setup", target, "--install").returncode == 0
    assert cli("setup", "completions", "--install").returncode == 0
    for target in ("tmux", "zsh", "fish"):
        assert cli("setup", target, "--uninstall").returncode == 0
    assert cli("setup", "completions", "--uninstall").returncode == 0
    assert listing(home) == {".claude"}
    (home / ".config" / "fish").mkdir(parents=True)
    assert cli("setup", "fish", "--install").returncode == 0
    assert cli("setup", "fish", "--uninstall").returncode == 0
    assert listing(home) == {".claude", ".config", ".config/fish"}


# --- The fast launch, shared by every target ---------------------------------------------

def test_the_fast_launch_goes_with_the_last_target_that_runs_it(home: Path) -> None:
    """Defect 13."""
    assert cli("setup", "tmux", "--install").returncode == 0
    assert cli("setup", "claude-code", "--install").returncode == 0
    assert cli("setup", "completions", "--install", "--shell", "fish").returncode == 0
    bin_dir = fast(home).parent
    assert {p.name for p in bin_dir.iterdir()} == {"claude-usage-line", "claude-usage-line-fallback",
                                                  "claude-usage-line.pyc", "claude-usage-line.code"}
    r = cli("setup", "tmux", "--uninstall")
    assert r.returncode == 0 and fast(home).exists() and "fast launch" not in r.stdout  # Claude Code runs it
    r = cli("setup", "claude-code", "--uninstall")
    assert r.returncode == 0, r.stderr
    assert f"removed the fast launch {fast(home)}" in r.stdout and not bin_dir.exists()
    assert list(record(home)["targets"]) == ["completions/fish"]  # completions run no line
    r = cli("setup", "completions", "--uninstall", "--shell", "fish")
    assert r.returncode == 0 and f"removed {data(home)}" in r.stdout and listing(home) == {".claude"}, r.stdout


def test_the_fast_launch_stays_while_a_file_from_before_the_record_names_it(home: Path) -> None:
    """A statusLine set up before setup kept a record names the launcher: it is not taken away."""
    assert cli("setup", "tmux", "--install").returncode == 0
    command = f"{fast(home)} --claude-code || {fast(home)}-fallback --claude-code"
    settings_file(home).write_text(json.dumps({"statusLine": {"type": "command", "command": command}}))
    r = cli("setup", "tmux", "--uninstall")
    assert r.returncode == 0 and fast(home).exists() and "is kept" in r.stdout, r.stdout


# --- Failures: one sentence, exit 1, nothing changed ---------------------------------------

@contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """``folder`` made unwritable: by its mode, or, for root (whom modes do not stop), immutable."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)
        return
    if not shutil.which("chattr") or subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode:
        pytest.skip("running as root without chattr +i: no folder can be made read-only")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)


@pytest.mark.parametrize("target", ["tmux", "starship"])
def test_a_read_only_config_folder_is_said_in_one_sentence(target: str, home: Path) -> None:
    config = home / ".config"
    config.mkdir()
    with read_only(config):
        r = cli("setup", target, "--install")
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "nothing was changed" in r.stderr
    assert str(config) in r.stderr
    assert listing(home) == {".claude", ".config"}  # the fast launch and the record went again


def full_disk_at(monkeypatch, path: Path) -> None:
    """Every atomic write to ``path`` fails as on a full disk."""
    from statusline.cache import safefiles

    real = safefiles.write_atomic

    def write_atomic(target: str, data: bytes, sync: bool = True) -> None:
        if os.path.abspath(target) == str(path):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), target)
        real(target, data, sync)

    monkeypatch.setattr(safefiles, "write_atomic", write_atomic)


@pytest.mark.parametrize("where", ["config", "record"])
def test_a_full_disk_changes_nothing(home: Path, monkeypatch, capsys, where: str) -> None:
    from statusline.cache import paths
    from statusline.commands import setup

    conf = starship_toml(home)
    full_disk_at(monkeypatch, conf if where == "config" else data(home) / "setup-record.json")
    assert setup.run(paths.resolve(), "starship", do_install=True) == 1
    err = capsys.readouterr().err
    assert "No space left on device" in err and "nothing was changed" in err and len(err.strip().splitlines()) == 1
    assert conf.read_text() == MINE and listing(home) == {".claude", ".config", ".config/starship.toml"}


def test_a_full_disk_changes_nothing_in_settings_json(home: Path, monkeypatch, capsys) -> None:
    from statusline.cache import paths
    from statusline.commands import setup

    settings_file(home).write_text('{"model": "opus"}\n')
    full_disk_at(monkeypatch, settings_file(home))
    assert setup.run(paths.resolve(), "claude-code", do_install=True) == 1
    err = capsys.readouterr().err
    assert "No space left on device" in err and "nothing was changed" in err and "Traceback" not in err
    assert settings_file(home).read_text() == '{"model": "opus"}\n'
    assert listing(home) == {".claude", ".claude/settings.json"}  # no backup, no record, no fast launch


def test_a_write_by_claude_code_during_uninstall_is_kept(home: Path, monkeypatch, capsys) -> None:
    """As for --install (#12): Claude Code writes settings.json after uninstall read it and
    before it writes; its write is kept, nothing of setup's goes over it, and it says so."""
    from statusline.cache import paths, safefiles
    from statusline.commands import claude_settings

    settings_file(home).write_text('{"theme": "dark"}\n')
    assert cli("setup", "claude-code", "--install").returncode == 0
    theirs = settings_file(home).read_text().replace('"theme": "dark"', '"theme": "light"')
    reads: list[str] = []
    real_read = safefiles.read_regular

    def read_regular(path: str, *args, **kwargs) -> bytes:
        if path == str(settings_file(home)):
            reads.append(path)
            if len(reads) == 2:  # uninstall's re-read: Claude Code has just written
                settings_file(home).write_text(theirs)
        return real_read(path, *args, **kwargs)

    monkeypatch.setattr(claude_settings.safefiles, "read_regular", read_regular)
    assert claude_settings.run(paths.resolve(), uninstall=True) == 1
    assert len(reads) == 2 and settings_file(home).read_text() == theirs
    assert "changed while setup ran" in capsys.readouterr().err
    assert len(list(settings_file(home).parent.glob("settings.json.bak-*"))) == 1  # install's only
    assert "claude-code" in record(home)["targets"]  # not forgotten: run again to take it out


def test_no_record_no_install_where_the_data_folder_is_not_ours(home: Path, tmp_path: Path) -> None:
    """The record lives where the fast launch does, under the same rule for "ours": a data folder
    others may write to is refused with the launcher's sentence, and nothing is written."""
    loose = tmp_path / "loose"
    loose.mkdir()
    loose.chmod(0o777)
    r = cli("setup", "tmux", "--install", env=dict(os.environ, XDG_DATA_HOME=str(loose)))
    assert r.returncode == 1 and "writable by other users" in r.stderr and "nothing was changed" in r.stderr
    assert list(loose.iterdir()) == [] and not (home / ".config").exists()
    assert stat.S_IMODE(loose.stat().st_mode) == 0o777  # refused, never chmod'ed
