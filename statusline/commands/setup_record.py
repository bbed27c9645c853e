"""The record of what ``claude-usage setup`` wrote, so that ``--uninstall`` takes back exactly that.

Good installers (pipx, rustup, Homebrew) keep a list of what they put where, and remove by that
list, never by guessing from a file's shape. So does setup: for every target it installs, and
every file of it, the record holds the path (and the link it was reached through), whether a
file was there before, its mode, the exact bytes setup wrote or appended, a hash of the file as
setup left it, where a file that stood in the way was moved, and the folders setup created.
Uninstall takes out those bytes when they are still there unchanged, and nothing else.

The record is ``setup-record.json`` in our data folder, beside the fast launch's ``bin``
(``$XDG_DATA_HOME/claude-usage``), in folders that pass the launcher's rule for "ours"
(``launcher.refusal``), written atomically, 0600. It is removed with the last target.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from statusline.cache import safefiles
from statusline.commands import launcher

NAME = "setup-record.json"
VERSION = 1
LIMIT = 64 << 20  # the settings entry and a few small plugin files; a larger file is not ours


class RecordError(Exception):
    """The record cannot be read or written; the message is one sentence, safe to show."""


@dataclass(frozen=True)
class Written:
    """One file setup wrote whole, or appended a block to."""
    path: str  # the file written (a link's end)
    link: str | None  # the name it was reached through, when that is a link
    existed: bool  # whether a file was there before setup first wrote it
    mode: int  # its permission bits as setup left them
    whole: bool  # True: the file is setup's (``ours`` is all of it); False: ``ours`` was appended
    ours: bytes  # the exact bytes setup wrote
    digest: str  # sha256 of the whole file as setup left it
    aside: str | None = None  # where a file of the user's that stood there was moved


@dataclass(frozen=True)
class SettingsEdit:
    """Claude Code's settings.json as setup changed it: the statusLine entry before, and ours."""
    path: str
    link: str | None
    existed: bool  # False: setup created the file
    before: str | None  # the entry's JSON text before setup first set it; None: there was none
    known: bool  # False: set up before setup kept a record, so ``before`` is not known
    entry: Any  # our entry as written (parsed JSON)
    digest: str  # sha256 of the file as setup left it
    backup: str | None = None  # the file before setup's first edit, restored while the file is as we left it
    backup_digest: str | None = None


@dataclass(frozen=True)
class Target:
    """What one target (``tmux``, ``starship``, ``claude-code``, ``completions/zsh``...) wrote."""
    files: tuple[Written, ...] = ()
    settings: SettingsEdit | None = None
    launch: bool = True  # whether what it installed runs the fast launch (completions and xbar do not)


@dataclass(frozen=True)
class Record:
    targets: Mapping[str, Target] = field(default_factory=dict)
    dirs: tuple[str, ...] = ()  # folders setup created, in the order it created them

    def users_of_launch(self) -> list[str]:
        """The targets whose installed files run the fast launch."""
        return [name for name, target in self.targets.items() if target.launch]


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def folder(env: Mapping[str, str] | None = None) -> Path:
    """Our data folder, which holds the fast launch's ``bin`` and the record."""
    return launcher.path(env).parent.parent


def where(env: Mapping[str, str] | None = None) -> Path:
    return folder(env) / NAME


def with_target(record: Record, name: str, target: Target, dirs: tuple[str, ...] = ()) -> Record:
    """The record once ``name`` wrote ``target`` (and created ``dirs``). Pure."""
    targets = dict(record.targets)
    targets[name] = target
    return replace(record, targets=targets, dirs=record.dirs + tuple(d for d in dirs if d not in record.dirs))


def without_target(record: Record, name: str) -> Record:
    targets = {k: v for k, v in record.targets.items() if k != name}
    return replace(record, targets=targets)


def without_dirs(record: Record, gone: tuple[str, ...]) -> Record:
    return replace(record, dirs=tuple(d for d in record.dirs if d not in gone))


def _text(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")


def _bytes(text: Any) -> bytes:
    if not isinstance(text, str):
        raise TypeError("not text")
    return text.encode("utf-8", "surrogateescape")


def to_json(record: Record) -> str:
    """The record as the file holds it: plain JSON a person can read."""
    targets: dict[str, Any] = {}
    for name, target in record.targets.items():
        item: dict[str, Any] = {"files": [{
            "path": w.path, "link": w.link, "existed": w.existed, "mode": "%04o" % w.mode, "whole": w.whole,
            "sha256": w.digest, "aside": w.aside, "ours": _text(w.ours)} for w in target.files],
            "launch": target.launch}
        s = target.settings
        if s is not None:
            item["settings"] = {"path": s.path, "link": s.link, "existed": s.existed, "before": s.before,
                                "known": s.known, "entry": s.entry, "sha256": s.digest, "backup": s.backup,
                                "backup_sha256": s.backup_digest}
        targets[name] = item
    doc = {"version": VERSION, "about": "what `claude-usage setup` wrote; --uninstall takes back exactly this",
           "dirs": list(record.dirs), "targets": targets}
    return json.dumps(doc, indent=2) + "\n"


def _optional(value: Any) -> str | None:
    if value is not None and not isinstance(value, str):
        raise TypeError("not a path")
    return value


def from_json(text: str) -> Record:
    """The record from its file's text; ``ValueError``/``TypeError``/``KeyError`` when it is not one."""
    doc = json.loads(text)
    if not isinstance(doc, dict) or doc.get("version") != VERSION:
        raise ValueError("not a record of this version")
    targets: dict[str, Target] = {}
    for name, item in doc["targets"].items():
        files = tuple(Written(str(f["path"]), _optional(f["link"]), bool(f["existed"]), int(f["mode"], 8),
                              bool(f["whole"]), _bytes(f["ours"]), str(f["sha256"]), _optional(f["aside"]))
                      for f in item["files"])
        s = item.get("settings")
        settings = None if s is None else SettingsEdit(
            str(s["path"]), _optional(s["link"]), bool(s["existed"]), _optional(s["before"]), bool(s["known"]),
            s["entry"], str(s["sha256"]), _optional(s["backup"]), _optional(s["backup_sha256"]))
        targets[str(name)] = Target(files, settings, bool(item["launch"]))
    return Record(targets, tuple(str(d) for d in doc["dirs"]))


def load(env: Mapping[str, str] | None = None) -> Record:
    """The record (empty when setup has written nothing yet); ``RecordError`` when it is there
    but cannot be read: then nothing is written, so nothing setup knows is lost."""
    path = where(env)
    try:
        raw = safefiles.read_own(str(path), LIMIT)
    except FileNotFoundError:
        return Record()
    except OSError as exc:
        raise RecordError(f"cannot read setup's record {path}: {exc.strerror or exc}") from None
    try:
        return from_json(raw.decode("utf-8"))
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise RecordError(f"setup's record {path} cannot be read ({exc}): move it aside and run setup again"
                          ) from None


def save(record: Record, env: Mapping[str, str] | None = None) -> None:
    """Write the record (removed when it holds no target); ``RecordError`` when its folder is
    not ours, ``OSError`` when the disk refuses."""
    path = where(env)
    if not record.targets:
        path.unlink(missing_ok=True)
        return
    problem = launcher.refusal(env)
    if problem is None:
        safefiles.makedirs_private(str(path.parent))
        problem = launcher.refusal(env)
    if problem:
        raise RecordError(problem)
    safefiles.write_atomic(str(path), to_json(record).encode())
