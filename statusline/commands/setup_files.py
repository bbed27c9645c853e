"""The files ``setup`` writes into the user's folders, and how each is taken back.

An install is worked out first (``plan_whole``, ``plan_block``: they only read), then applied
step by step (``apply``), each step undone (``undo``) when a later one fails, so an install that
cannot finish (a read-only folder, a full disk) leaves every file as it was. Taking back
(``take_back``) follows the record (``setup_record``) and nothing else: the bytes setup wrote are
removed when they are there unchanged; a block the user edited is left alone, with the words
to remove it by hand. Every file rewritten keeps its mode, a link stays a link (the file it
points to is edited), a file setup created goes once nothing else is in it, and so do the
folders setup created (``remove_empty``), deepest first, never one that was there before.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from statusline.cache import safefiles
from statusline.commands import launcher, setup_record
from statusline.commands.setup_record import Record, Written, digest

USERS_FILE_LIMIT = 16 << 20


class Refused(Exception):
    """setup cannot go on without risking the user's files; the message is one sentence."""


def why(exc: Exception) -> str:
    """An error as the end of a sentence: the system's words for an ``OSError``, else its message."""
    return str(exc.strerror) if isinstance(exc, OSError) and exc.strerror else str(exc)


def backup_path(path: Path) -> Path:
    """``NAME.bak-YYYYmmdd-HHMMSS`` beside ``path``, never one that exists: every backup is kept."""
    base = path.with_name(f"{path.name}.bak-{time.strftime('%Y%m%d-%H%M%S')}")
    candidate, n = base, 1
    while candidate.exists() or candidate.is_symlink():
        candidate, n = base.with_name(f"{base.name}-{n}"), n + 1
    return candidate


def real_target(path: Path) -> Path:
    """The file to edit: ``path`` itself, or, when it is a symlink, the file it points to
    (followed to the end), so the link stays a link."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def shown(path: Path | str, link: Path | str | None) -> str:
    return f"{path} (through the link {link})" if link else str(path)


def read_users_file(path: Path) -> bytes | None:
    """A file of the user's through the one opener (a link followed, as a dotfile manager makes
    them; a FIFO or a device refused, never waited on); None when there is none."""
    try:
        return safefiles.read_regular(str(path), USERS_FILE_LIMIT, follow=True)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise Refused(f"cannot read {path}: {exc.strerror or exc}; nothing was changed") from None


def mode_of(path: Path) -> int:
    return os.stat(path).st_mode & 0o7777


def missing_dirs(path: Path) -> list[Path]:
    """The folders from ``path`` up that do not exist yet, outermost first: what creating
    ``path`` creates."""
    missing: list[Path] = []
    p = Path(os.path.abspath(path))
    while not p.is_dir() and p != p.parent:
        missing.append(p)
        p = p.parent
    return missing[::-1]


def remove_empty(dirs: Sequence[str]) -> tuple[str, ...]:
    """Remove those of ``dirs`` (folders setup created) that are empty, deepest first; the ones
    removed. A folder with anything in it stays, and so does a link in a folder's place."""
    gone: list[str] = []
    for d in sorted(dirs, key=lambda d: d.count(os.sep), reverse=True):
        try:
            if not os.path.islink(d):
                os.rmdir(d)
                gone.append(d)
        except OSError:
            pass
    return tuple(gone)


@dataclass(frozen=True)
class Step:
    """One file's change, worked out before anything is written."""
    path: Path  # the file written (a link's end)
    previous: bytes | None  # what is there now (None: no file)
    data: bytes | None  # the new bytes (None: left as it is)
    mode: int
    aside: Path | None  # the file there is moved here first
    entry: Written | None  # its record once done (None: nothing of setup's there)
    note: str  # what to say once done


def _entry(path: Path, link: Path | None, existed: bool, mode: int, whole: bool, ours: bytes, after: bytes,
           aside: str | None = None) -> Written:
    return Written(str(path), str(link) if link else None, existed, mode, whole, ours, digest(after), aside)


def plan_whole(named: Path, text: bytes, mode: int, old: Written | None) -> Step:
    """Write ``text`` as the whole file at ``named``. A file the user changed since setup
    wrote it, or one setup never wrote, is moved aside first (a backup), never overwritten."""
    path = real_target(named)
    link = named if path != named else None
    current = read_users_file(path)
    existed = old.existed if old else current is not None
    aside = old.aside if old else None
    if current is None:
        return Step(path, None, text, mode, None, _entry(path, link, existed, mode, True, text, text, aside),
                    f"wrote {shown(path, link)}")
    if current == text or (old is not None and digest(current) == old.digest):
        keep = mode_of(path)
        entry = _entry(path, link, existed if old else False, keep, True, text, text, aside)
        if current == text:
            return Step(path, current, None, keep, None, entry, f"{path} is as setup writes it: unchanged")
        return Step(path, current, text, keep, None, entry, f"wrote {shown(path, link)}")
    backup = backup_path(path)
    if old is not None:
        note = f"{path} was changed since setup wrote it: moved to {backup}"
    else:
        note = f"{path} was there already, not as setup writes it: moved to {backup}"
        aside = str(backup)
    return Step(path, current, text, mode, backup, _entry(path, link, existed, mode, True, text, text, aside),
                note + f"; wrote {path}")


def _has_line(data: bytes, line: bytes) -> bool:
    return any(ln.strip() == line for ln in data.splitlines())


def separator(current: bytes) -> bytes:
    """What goes between the user's text and an appended block: one blank line."""
    if not current:
        return b""
    return b"\n" if current.endswith(b"\n") else b"\n\n"


def plan_block(named: Path, text: bytes, header: str, mode: int, old: Written | None) -> Step:
    """Append ``text`` (a table starting ``header``) to the user's file at ``named``, or update
    setup's block in place when it is there as setup wrote it. A ``header`` setup did not write
    (or one the user changed) is left as it is."""
    path = real_target(named)
    link = named if path != named else None
    current = read_users_file(path)
    if current is None:
        return Step(path, None, text, mode, None, _entry(path, link, False, mode, False, text, text),
                    f"wrote {shown(path, link)}")
    keep = mode_of(path)
    if old is not None and current.count(old.ours) == 1:
        sep = old.ours[:len(old.ours) - len(old.ours.lstrip(b"\n"))]
        block = sep + text
        after = current.replace(old.ours, block, 1)
        entry = replace(old, path=str(path), link=str(link) if link else None, mode=keep, ours=block,
                        digest=digest(after))
        if block == old.ours:
            return Step(path, current, None, keep, None, entry, f"{path} already holds {header} as setup wrote it: "
                        "unchanged")
        return Step(path, current, after, keep, None, entry, f"updated {header} in {path}")
    if _has_line(current, header.encode()):
        if old is None and current.count(text) == 1:  # written by a setup that kept no record
            at = current.index(text)
            block = b"\n" + text if current[:at].endswith(b"\n\n") else text
            entry = _entry(path, link, block != current, keep, False, block, current)
            return Step(path, current, None, keep, None, entry, f"{path} already holds {header}: unchanged")
        why = "you changed since setup wrote it" if old is not None else "that setup did not write"
        return Step(path, current, None, keep, None, old,
                    f"{shown(path, link)} holds a {header} {why}: left as it is")
    block = separator(current) + text
    after = current + block
    return Step(path, current, after, keep, None, _entry(path, link, True, keep, False, block, after),
                f"wrote {shown(path, link)}")


def apply(step: Step) -> None:
    """Do ``step``: move the file there aside if asked, then write the new bytes atomically
    with ``step.mode`` (the folders exist already). ``OSError`` leaves the file as it was."""
    if step.aside is not None:
        os.rename(step.path, step.aside)
    if step.data is not None:
        try:
            safefiles.write_atomic(str(step.path), step.data)
            os.chmod(step.path, step.mode)
        except OSError:
            if step.aside is not None:
                os.rename(step.aside, step.path)
            raise


def undo(step: Step) -> None:
    """Put back what ``apply(step)`` changed (best effort: it runs after a failure already)."""
    try:
        if step.data is not None:
            if step.previous is None or step.aside is not None:
                os.unlink(step.path)
            else:
                safefiles.write_atomic(str(step.path), step.previous)
                os.chmod(step.path, step.mode)
        if step.aside is not None:
            os.rename(step.aside, step.path)
    except OSError:
        pass


@dataclass(frozen=True)
class Taken:
    """What uninstall did to one file: ``done`` when nothing of setup's is left there to take."""
    done: bool
    note: str


def _rewrite(path: Path, current: bytes, rest: bytes) -> Path:
    """Replace ``path``'s bytes with ``rest``, keeping its mode; a backup of ``current`` first."""
    keep = mode_of(path)
    backup = backup_path(path)
    safefiles.write_atomic(str(backup), current)
    try:
        safefiles.write_atomic(str(path), rest)
        os.chmod(path, keep)
    except OSError:
        os.unlink(backup)
        raise
    return backup


def take_back(w: Written, what: str, again: str) -> Taken:
    """Take back what the record says setup wrote to one file. ``what`` names an appended block
    (``[custom.claude_usage]``), ``again`` the command to run once the user has edited by hand."""
    path = real_target(Path(w.path))
    name = shown(path, w.link)
    current = read_users_file(path)
    if current is None:
        return Taken(True, f"{name}: not there; nothing to remove")
    try:
        if w.whole:
            if current != w.ours and digest(current) != w.digest:
                backup = backup_path(path)
                os.rename(path, backup)
                return Taken(True, f"{name} was changed since it was installed: moved to {backup}")
            os.unlink(path)
            note = f"removed {name}"
            if w.aside and os.path.lexists(w.aside) and not os.path.lexists(path):
                os.rename(w.aside, path)
                note += f"; the file that was there before is back (it was kept at {w.aside})"
            return Taken(True, note)
        count = current.count(w.ours)
        if count != 1:
            why = "was changed since setup wrote it" if count == 0 else f"appears {count} times"
            return Taken(False, f"the {what} block setup appended to {name} {why}: {path} is left as it is. "
                         f"Remove that table by hand (from its line {what} to the next table), then run {again} "
                         "again")
        return _cut(path, current, current.replace(w.ours, b"", 1), name, what,
                    " (setup had created it)" if not w.existed else None)
    except OSError as exc:
        raise Refused(f"cannot change {path}: {exc.strerror or exc}; it is left as it was") from None


def _cut(path: Path, current: bytes, rest: bytes, name: str, what: str, gone: str | None) -> Taken:
    """Write ``rest`` (``current`` with our block cut) back with a backup; when nothing is left and
    ``gone`` is not None (setup created the file, said by ``gone``), remove the file instead."""
    if gone is not None and not rest:
        os.unlink(path)
        return Taken(True, f"removed {name}{gone}")
    backup = _rewrite(path, current, rest)
    return Taken(True, f"removed {what} from {name} (backup: {backup})")


def take_back_unrecorded(named: Path, text: bytes, what: str | None) -> Taken:
    """Uninstall where setup holds no record (a setup that kept none wrote it): only what is
    there exactly as setup writes it now is taken out; anything else is left, and said."""
    path = real_target(named)
    link = named if path != named else None
    name = shown(path, link)
    current = read_users_file(path)
    if current is None:
        return Taken(True, f"{name}: not there; nothing to remove")
    try:
        if what is None:
            if current != text:
                return Taken(True, f"{name} is not what setup writes, and setup has no record of writing it: "
                             "left as it is")
            os.unlink(path)
            return Taken(True, f"removed {name}")
        if current.count(text) == 1:
            at = current.index(text)
            block = b"\n" + text if current[:at].endswith(b"\n\n") else text
            return _cut(path, current, current.replace(block, b"", 1), name, what, "")
    except OSError as exc:
        raise Refused(f"cannot change {path}: {exc.strerror or exc}; it is left as it was") from None
    if _has_line(current, what.encode()):
        return Taken(True, f"{name} holds a {what} that setup has no record of writing: left as it is "
                     "(remove that table by hand if you want it gone)")
    return Taken(True, f"{name} holds no {what}: unchanged")


def bases(home: Path, env: Mapping[str, str]) -> dict[str, str]:
    """The standard user locations, as the programs themselves find them."""
    config = env.get("XDG_CONFIG_HOME") or str(home / ".config")
    data = env.get("XDG_DATA_HOME") or str(home / ".local" / "share")
    return {
        "config": config,
        "data": data,
        "starship": env.get("STARSHIP_CONFIG") or os.path.join(config, "starship.toml"),
        "xbar": str(home / "Library" / "Application Support" / "xbar" / "plugins"),
        "bash_completion": os.path.join(env.get("BASH_COMPLETION_USER_DIR") or os.path.join(data, "bash-completion"),
                                        "completions"),
    }


@dataclass(frozen=True)
class Begun:
    """An install under way, as it found things: the record, the data folders it created, and
    whether a fast launch was there before it wrote one (``abandon`` puts that back)."""
    record: Record
    created: tuple[str, ...]  # the data folders missing when it began (the install creates them)
    had_launch: bool
    launch: launcher.Launch | None


def begin(env: Mapping[str, str] | None, launch: bool) -> Begun:
    """Start an install: read the record (``RecordError`` when it cannot be read), check that our
    data folder may hold it (``Refused``), and write the fast launch when the target runs it."""
    record = setup_record.load(env)
    data = setup_record.folder(env)
    problem = launcher.refusal(env)
    if problem:
        raise Refused(f"setup keeps a record of what it writes in {data}, and cannot: {problem}; "
                      "nothing was changed")
    created = missing_dirs(data / "bin" if launch else data)
    had = os.path.lexists(launcher.path(env))
    return Begun(record, tuple(str(d) for d in created), had, launcher.install(env) if launch else None)


def abandon(begun: Begun, env: Mapping[str, str] | None) -> None:
    """Undo ``begin`` after a failure: the record as it was, and a fast launch written only for
    this install removed again, with the data folders created for it. Best effort."""
    if begun.launch is not None and not begun.had_launch and not begun.record.users_of_launch():
        launcher.remove(env)
    try:
        setup_record.save(begun.record, env)
    except (OSError, setup_record.RecordError):
        pass
    remove_empty(begun.created)


def launch_named_in(files: Sequence[Path], env: Mapping[str, str] | None) -> Path | None:
    """The first of ``files`` that names the fast launch (a Claude Code statusLine or a Starship
    config written before setup kept a record), or None."""
    where = str(launcher.path(env)).encode()
    for f in files:
        try:
            data = read_users_file(real_target(f))
        except Refused:
            continue
        if data is not None and where in data:
            return f
    return None


def finish(before: Record, after: Record, env: Mapping[str, str] | None, check: Sequence[Path] = ()) -> list[str]:
    """After an uninstall: the folders setup created that are empty now go; once no target in
    the record runs the fast launch (and none of ``check`` names it), the fast launch goes too,
    and the record and our data folder with the last target. Saves the record; what it did,
    as sentences."""
    said: list[str] = []
    if before.users_of_launch() and not after.users_of_launch():
        named = launch_named_in(check, env)
        if named is None:
            gone = launcher.remove(env)
            if gone:
                said.append(f"removed the fast launch {gone[0]}"
                            + (f" and {', '.join(Path(g).name for g in gone[1:])}" if gone[1:] else "")
                            + ": no target setup installed runs it now")
        else:
            said.append(f"the fast launch {launcher.path(env)} is kept: {named} still names it")
    data = setup_record.folder(env)
    ours = (str(data), str(data / "bin"))
    if after.targets:
        gone = remove_empty(after.dirs)
        absent = tuple(d for d in after.dirs if not os.path.isdir(d))
        setup_record.save(setup_record.without_dirs(after, gone + absent), env)
    else:
        setup_record.save(after, env)  # no target left: the record goes
        for d in (data / "bin", data):
            if d.is_dir() and not d.is_symlink() and not any(d.iterdir()):
                d.rmdir()
                said.append(f"removed {d} (empty now)")
        gone = remove_empty([d for d in after.dirs if d not in ours])
    said += [f"removed {d} (setup had created it; empty now)" for d in gone if d not in ours]
    return said


def finish_and_report(before: Record, after: Record, env: Mapping[str, str], check: Sequence[Path] = ()) -> int:
    """``finish``, its sentences printed: 0, or 1 (said on stderr) when the record cannot be
    kept. Every uninstall ends here, so each says the same."""
    try:
        for said in finish(before, after, env, check):
            print(said)
    except (OSError, setup_record.RecordError) as exc:
        print(f"claude-usage: cannot update setup's record {setup_record.where(env)}: {why(exc)}", file=sys.stderr)
        return 1
    return 0
