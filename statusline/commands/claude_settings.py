"""``claude-usage setup claude-code``: add our statusLine to Claude Code's settings.json.

The one place this tool writes a file of Claude Code's, and only when asked. It keeps every
other key, chains (never clobbers) a statusLine that is already there, writes a backup and
then the new file atomically, and running it twice changes nothing. Without ``--install`` it
only previews; ``--uninstall`` puts back the entry that was there before, as the record of the
install says (``setup_record``): when the file is byte for byte as setup left it, its bytes from
before; else, while our entry is as we wrote it, that entry's old text in its place (Claude
Code rewrites the file for its other keys); an entry the user changed since is left alone.
The file is edited as text (``settings_text``): its indentation, key order, numbers and final
newline stay the user's. A ``settings.json`` that is a symlink (dotfile managers make them)
stays a link: the file it points to is edited.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from statusline.cache import safefiles
from statusline.cache.paths import Paths
from statusline.commands import launcher, settings_text, setup_files, setup_record
from statusline.commands.setup_files import Refused
from statusline.commands.setup_record import RecordError, SettingsEdit, Target, digest

SETTINGS_LIMIT = 16 << 20

REFRESH_INTERVAL = 30
MARKER = "--claude-code"


def line_command(write: bool = True, args: tuple[str, ...] = ()) -> str:
    """Our hook command (``--claude-code`` and ``args``), by absolute path (Claude Code's PATH
    may not hold ~/.local/bin): the fast launch with its fallback when it applies
    (``launcher.invocation``; ``write`` False only names one already there), else the console
    script."""
    from statusline.commands import launcher

    return launcher.invocation([MARKER, *args], write=write)


def is_ours(command: Any) -> bool:
    return isinstance(command, str) and "claude-usage-line" in command and MARKER in command


def our_args(command: str) -> list[str] | None:
    """The arguments after ``--claude-code`` in a command of ours (``PROGRAM --claude-code ARGS``,
    or ``LAUNCH --claude-code ARGS || FALLBACK --claude-code ARGS`` as ``invocation`` writes
    it, where LAUNCH is ``PYTHON -IS …/claude-usage-line.pyc`` or, before, the launcher's path);
    None when it is not of that shape (an ``env`` prefix, a wrapper: the user's own)."""
    try:
        words = shlex.split(command)
    except ValueError:
        return None
    first = words[:words.index("||")] if "||" in words else words
    args = _after_program(first)
    if args is None:
        return None
    if "||" in words:
        second = words[words.index("||") + 1:]
        if _after_program(second) != args or len(second) != len(args) + 1:  # the fallback: a path
            return None
    return args[1:]


def _after_program(words: list[str]) -> list[str] | None:
    """``words`` from ``--claude-code`` on, when what comes before is one of our programs: a
    ``claude-usage-line…`` by path, or a Python running ``claude-usage-line.pyc`` with ``-IS``."""
    program = 3 if len(words) > 2 and words[1] == "-IS" and os.path.basename(words[2]) == launcher.COMPILED else 1
    if len(words) <= program or not os.path.basename(words[program - 1]).startswith("claude-usage-line") \
            or words[program] != MARKER:
        return None
    return words[program:]


def updated(settings: dict[str, Any], ours: str, chain: str | None = None,
            render: Any = None) -> dict[str, Any]:
    """The new settings (a copy). Pure: the tests call it directly too. ``ours`` is our plain
    command; ``render(args)`` (``line_command``'s shape) writes it with more arguments."""
    render = render or (lambda args: ours + "".join(" " + shlex.quote(a) for a in args))
    new = dict(settings)
    current = settings.get("statusLine")
    current = current if isinstance(current, dict) else {}
    existing = current.get("command")
    kept = our_args(existing) if isinstance(existing, str) and is_ours(existing) else None
    if isinstance(existing, str) and is_ours(existing) and not chain:
        command = render(kept) if kept is not None else existing  # set up before: its flags and chain kept
    else:
        previous = chain or (existing if isinstance(existing, str) and existing.strip() else None)
        command = ours if previous is None else render(["--chain", previous])
    line = dict(current)
    line["type"] = "command"
    line["command"] = command
    line.setdefault("padding", 0)
    line.setdefault("refreshInterval", REFRESH_INTERVAL)
    new["statusLine"] = line
    return new


backup_path = setup_files.backup_path
real_target = setup_files.real_target


def removed(settings: dict[str, Any]) -> dict[str, Any]:
    """The settings without our statusLine (a copy): a chained command is put back as it was."""
    new = dict(settings)
    current = settings.get("statusLine")
    command = current.get("command") if isinstance(current, dict) else None
    if not is_ours(command):
        return new
    words = (our_args(command) or []) if isinstance(command, str) else []
    chained = words[words.index("--chain") + 1] if "--chain" in words[:-1] else None
    if chained:
        assert isinstance(current, dict)
        line = dict(current)
        line["command"] = chained
        new["statusLine"] = line
    else:
        new.pop("statusLine", None)
    return new


class NotJson(ValueError):
    """A value JSON (and Node) cannot hold: Infinity, NaN, a number out of range."""


def _no_constant(name: str) -> Any:
    raise NotJson(name)


def _finite(text: str) -> float:
    v = float(text)
    if v != v or v in (float("inf"), float("-inf")):
        raise NotJson(f"the number {text[:40]} (out of range)")
    return v


def _show(entry: Any) -> str:
    return json.dumps(entry) if entry is not None else "(none)"


def unparsable(settings: dict[str, Any]) -> str | None:
    """Why our own statusLine command cannot be read as ``sh`` reads it (an unbalanced quote), or None."""
    entry = settings.get("statusLine")
    command = entry.get("command") if isinstance(entry, dict) else None
    if not is_ours(command):
        return None
    try:
        shlex.split(command)
    except ValueError as exc:
        return str(exc).lower()
    return None


def run(paths: Paths, *, print_only: bool = False, chain: str | None = None,
        do_install: bool = False, uninstall: bool = False, env: Mapping[str, str] | None = None,
        check: Sequence[Path] = ()) -> int:
    """Preview by default (nothing written); ``do_install`` writes, ``uninstall`` takes ours out.
    ``check``: other files that may name the fast launch (see ``setup_files.finish``)."""
    env = os.environ if env is None else env
    link = paths.settings_file
    target = real_target(link)
    try:
        raw = safefiles.read_regular(str(target), SETTINGS_LIMIT, follow=True)
    except FileNotFoundError:
        raw = b""
    except OSError as exc:
        print(f"Cannot read {target}: {exc.strerror or exc}. Nothing was changed.", file=sys.stderr)
        return 1
    try:
        settings = json.loads(raw, parse_constant=_no_constant, parse_float=_finite) if raw.strip() else {}
        text = raw.decode("utf-8")
    except NotJson as exc:
        print(f"{target} holds {exc}, which Node's JSON cannot read: fix it first; nothing was changed.",
              file=sys.stderr)
        return 1
    except (ValueError, RecursionError) as exc:
        print(f"{target} is not valid JSON ({exc}). Fix it first; nothing was changed.", file=sys.stderr)
        return 1
    if not isinstance(settings, dict):
        print(f"{target} does not hold a JSON object. Nothing was changed.", file=sys.stderr)
        return 1
    problem = unparsable(settings)
    if problem:
        print(f"The statusLine command in {target} is not valid sh ({problem}): fix it, or take the statusLine "
              "entry out by hand; nothing was changed.", file=sys.stderr)
        return 1
    where = f"{target} (through the link {link})" if target != link else str(target)
    if print_only or not (do_install or uninstall):
        new = removed(settings) if uninstall else updated(
            settings, line_command(write=False), chain, lambda args: line_command(write=False, args=tuple(args)))
        if print_only:
            print(json.dumps({"statusLine": new.get("statusLine")}, indent=2))
            return 0
        return preview(settings, new, where)
    file = _File(link, target, raw, text, settings, where)
    try:
        return _uninstall(file, env, check) if uninstall else _install(file, chain, env)
    except (Refused, RecordError) as exc:
        print(f"claude-usage: {exc}", file=sys.stderr)
        return 1


@dataclass(frozen=True)
class _File:
    """settings.json as setup read it: the name, the file (a link's end), its bytes and content."""
    link: Path
    target: Path
    raw: bytes
    text: str
    settings: dict[str, Any]
    where: str  # how to name it in a sentence

    @property
    def exists(self) -> bool:
        return os.path.lexists(self.target)


def _read_only(file: _File) -> bool:
    if file.raw and not file.target.stat().st_mode & 0o200:
        print(f"{file.target} is read-only (mode {file.target.stat().st_mode & 0o777:03o}): nothing was changed. "
              f"Make it writable (chmod u+w {file.target}) to let setup edit it.", file=sys.stderr)
        return True
    return False


def _install(file: _File, chain: str | None, env: Mapping[str, str]) -> int:
    if _read_only(file):
        return 1
    begun = setup_files.begin(env, True)
    launch = begun.launch.path if begun.launch else None
    rewritten = begun.launch.rewritten if begun.launch else ()
    new = updated(file.settings, launcher.command_line(launch, [MARKER]), chain,
                  lambda args: launcher.command_line(launch, [MARKER, *args]))
    entry = new["statusLine"]
    old = begun.record.targets.get(NAME)
    prior = old.settings if old else None
    if prior is not None and file.settings.get("statusLine") != prior.entry:
        prior = None  # our entry is not there as we wrote it: what is there now is the "before"
    if new == file.settings:
        edit = prior or SettingsEdit(str(file.target), _link(file), True, None, False, entry, digest(file.raw))
        try:
            _save(begun, edit, (), env)
        except (OSError, RecordError) as exc:
            setup_files.abandon(begun, env)
            print(f"claude-usage: cannot write {setup_record.where(env)}: {setup_files.why(exc)}; nothing was "
                  "changed", file=sys.stderr)
            return 1
        if rewritten:
            print(f"The fast launch was rewritten for this install ({', '.join(rewritten)}); {file.where} already "
                  "names it: settings.json is unchanged.")
        else:
            print(f"Already set up in {file.where}: nothing changed.")
        return 0
    body = settings_text.with_value(file.text, "statusLine", entry).encode()
    dirs = setup_files.missing_dirs(file.target.parent)
    backup = backup_path(file.target) if file.raw else None
    if prior is not None:
        same = digest(file.raw) == prior.digest  # nothing else changed since: the old bytes still apply
        edit = SettingsEdit(prior.path, prior.link, prior.existed, prior.before, prior.known, entry, digest(body),
                            prior.backup if same else None, prior.backup_digest if same else None)
    else:
        before = settings_text.raw_value(file.text, "statusLine")
        edit = SettingsEdit(str(file.target), _link(file), file.exists, before, True, entry, digest(body),
                            str(backup) if backup else None, digest(file.raw))
    if _changed_meanwhile(file):
        setup_files.abandon(begun, env)
        return 1
    mode = file.target.stat().st_mode & 0o7777 if file.exists else 0o600
    doing = setup_record.where(env)
    written: list[Path] = []
    try:
        _save(begun, edit, tuple(map(str, dirs)), env)
        doing = file.target.parent
        for d in dirs:
            d.mkdir(exist_ok=True)
        if backup is not None:
            doing = backup
            safefiles.write_atomic(str(backup), file.raw)
            written.append(backup)
        doing = file.target
        safefiles.write_atomic(str(file.target), body)
        os.chmod(file.target, mode)
    except (OSError, RecordError) as exc:
        for w in written:
            w.unlink(missing_ok=True)
        setup_files.remove_empty([str(d) for d in dirs])
        setup_files.abandon(begun, env)
        print(f"Cannot write {doing}: {setup_files.why(exc)}; nothing was changed.", file=sys.stderr)
        return 1
    if backup is not None:
        print(f"backup: {backup}")
    print(f"statusLine set in {file.where}: {entry['command']}")
    print("Restart Claude Code (or open /statusline) to see it.")
    return 0


NAME = "claude-code"


def _changed_meanwhile(file: _File) -> bool:
    """Whether Claude Code (or the user) wrote the file since setup read it: then setup writes
    nothing, never over their write, and says so."""
    try:
        now: bytes | None = safefiles.read_regular(str(file.target), SETTINGS_LIMIT, follow=True)
    except FileNotFoundError:
        now = b""
    except OSError:
        now = None
    if now == file.raw:
        return False
    print(f"{file.target} changed while setup ran: nothing was changed; run setup again.", file=sys.stderr)
    return True


def _link(file: _File) -> str | None:
    return str(file.link) if file.target != file.link else None


def _save(begun: setup_files.Begun, edit: SettingsEdit, dirs: tuple[str, ...], env: Mapping[str, str]) -> None:
    setup_record.save(setup_record.with_target(begun.record, NAME, Target(settings=edit),
                                               begun.created + dirs), env)


def _original(edit: SettingsEdit) -> bytes | None:
    """The file's bytes before setup's first edit, while they can be had unchanged, else None."""
    if edit.backup_digest is None:
        return None
    if edit.backup_digest == digest(b""):
        return b""
    if edit.backup is None:
        return None
    try:
        data = safefiles.read_regular(edit.backup, SETTINGS_LIMIT, follow=False)
    except OSError:
        return None
    return data if digest(data) == edit.backup_digest else None


def _uninstall(file: _File, env: Mapping[str, str], check: Sequence[Path]) -> int:
    record = setup_record.load(env)
    old = record.targets.get(NAME)
    edit = old.settings if old else None
    after = setup_record.without_target(record, NAME)
    current = file.settings.get("statusLine")
    body: bytes | None  # the new file; None: remove it
    if edit is None:  # set up before setup kept a record: take out our command, as its shape says
        new = removed(file.settings)
        if new == file.settings:
            print(f"{file.where} holds no statusLine of ours: nothing changed.")
            return setup_files.finish_and_report(record, after, env, check)
        back = new.get("statusLine")
        body = settings_text.with_raw(file.text, "statusLine", None if back is None else settings_text.value_text(
            back, settings_text.style(file.text, settings_text.layout(file.text)))).encode()
        said = "setup has no record of the entry before it, so only its command was taken out"
    elif not file.raw or current is None or not is_ours(current.get("command") if isinstance(current, dict) else None):
        print(f"{file.where} holds no statusLine of ours any more: nothing to take back.")
        return setup_files.finish_and_report(record, after, env, check)
    elif digest(file.raw) == edit.digest and _original(edit) is not None:
        body = _original(edit) if edit.existed else None
        said = "it is as it was before setup"
    elif current == edit.entry:
        if edit.known:
            body = settings_text.with_raw(file.text, "statusLine", edit.before).encode()
        else:
            back = removed(file.settings).get("statusLine")
            body = settings_text.with_raw(file.text, "statusLine", None if back is None else json.dumps(back)).encode()
        if not edit.existed and json.loads(body) == {}:
            body = None
        said = "the entry is as it was before setup"
    else:
        before = f" (before setup it was: {edit.before})" if edit.known and edit.before else ""
        print(f"The statusLine in {file.where} was changed since setup set it: it is left as it is. To take it "
              f"out, edit or delete that entry by hand{before}, then run `claude-usage setup claude-code "
              "--uninstall` again.", file=sys.stderr)
        return 1
    if _read_only(file):
        return 1
    if _changed_meanwhile(file):
        return 1
    try:
        if body is None:
            file.target.unlink()
            print(f"removed {file.where}: setup had created it, and it holds nothing else now")
        else:
            backup = backup_path(file.target)
            safefiles.write_atomic(str(backup), file.raw)
            try:
                mode = file.target.stat().st_mode & 0o7777
                safefiles.write_atomic(str(file.target), body)
                os.chmod(file.target, mode)
            except OSError:
                backup.unlink(missing_ok=True)
                raise
            print(f"backup: {backup}")
            back = json.loads(body).get("statusLine") if body.strip() else None
            print(f"statusLine taken out of {file.where} ({said})"
                  + (f"; your own command is back: {back['command']}" if isinstance(back, dict)
                     and isinstance(back.get("command"), str) else "."))
    except OSError as exc:
        print(f"Cannot write {file.target}: {exc.strerror or exc}; nothing was changed.", file=sys.stderr)
        return 1
    print("Restart Claude Code (or open /statusline) to see it.")
    return setup_files.finish_and_report(record, after, env, check)



def preview(settings: dict[str, Any], new: dict[str, Any], where: str) -> int:
    """What ``--install`` would do, written nowhere: the entry now, the entry then, the chain."""
    before, after = settings.get("statusLine"), new["statusLine"]
    if new == settings:
        print(f"Already set up in {where}: {after['command']}")
        return 0
    print(f"setup claude-code would change statusLine in {where}:")
    print(f"  now:  {_show(before)}")
    print(f"  then: {_show(after)}")
    words = our_args(after["command"]) or []
    if "--chain" in words[:-1]:
        print("  Your current status command keeps running beside ours (--chain): "
              + words[words.index("--chain") + 1])
    print("Other keys are kept and a backup is written first. Nothing was written yet: "
          "run `claude-usage setup claude-code --install` to do it.")
    return 0
