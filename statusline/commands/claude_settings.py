"""``claude-usage setup claude-code``: add our statusLine to Claude Code's settings.json.

The one place this tool writes a file of Claude Code's, and only when asked. It keeps every
other key, chains (never clobbers) a statusLine that is already there, writes a backup and
then the new file atomically, and running it twice changes nothing. Without ``--install`` it
only previews; ``--uninstall`` takes our entry out again (a chained command is put back). A
``settings.json`` that is a symlink (dotfile managers make them) stays a link: the file it
points to is edited.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
import time
from pathlib import Path
from typing import Any

from statusline.cache import safefiles
from statusline.cache.paths import Paths
from statusline.cache.store import atomic_write

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
    it); None when it is not of that shape (an ``env`` prefix, a wrapper: the user's own)."""
    try:
        words = shlex.split(command)
    except ValueError:
        return None
    first = words[:words.index("||")] if "||" in words else words
    if len(first) < 2 or not os.path.basename(first[0]).startswith("claude-usage-line") or first[1] != MARKER:
        return None
    if "||" in words:
        second = words[words.index("||") + 1:]
        if second[1:] != first[1:] or not os.path.basename(second[0]).startswith("claude-usage-line"):
            return None
    return first[2:]


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


def run(paths: Paths, *, print_only: bool = False, chain: str | None = None,
        do_install: bool = False, uninstall: bool = False) -> int:
    """Preview by default (nothing written); ``do_install`` writes, ``uninstall`` takes ours out."""
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
    new = removed(settings) if uninstall else updated(
        settings, line_command(write=do_install), chain, lambda args: line_command(write=do_install, args=tuple(args)))
    if print_only:
        print(json.dumps({"statusLine": new.get("statusLine")}, indent=2))
        return 0
    where = f"{target} (through the link {link})" if target != link else str(target)
    if not (do_install or uninstall):
        return preview(settings, new, where)
    if new == settings:
        if uninstall:
            print(f"{where} holds no statusLine of ours: nothing changed.")
        else:
            print(f"Already set up in {where}: nothing changed.")
        return 0
    if raw and not target.stat().st_mode & 0o200:
        print(f"{target} is read-only (mode {target.stat().st_mode & 0o777:03o}): nothing was changed. "
              f"Make it writable (chmod u+w {target}) to let setup edit it.", file=sys.stderr)
        return 1
    try:
        body = (json.dumps(new, indent=2, allow_nan=False) + "\n").encode()
    except ValueError:
        print(f"The new {target} would hold a number JSON cannot: nothing was changed.", file=sys.stderr)
        return 1
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        now_raw = b""
        try:
            now_raw = safefiles.read_regular(str(target), SETTINGS_LIMIT, follow=True)
        except FileNotFoundError:
            pass
        if now_raw != raw:  # Claude Code (or the user) wrote it meanwhile: never lose that
            print(f"{target} changed while setup ran: nothing was changed; run setup again.", file=sys.stderr)
            return 1
        if raw:
            backup = backup_path(target)
            atomic_write(backup, raw)
            print(f"backup: {backup}")
        mode = target.stat().st_mode & 0o777 if raw else 0o600
        atomic_write(target, body)
        os.chmod(target, mode)
    except OSError as exc:
        print(f"Cannot write {target}: {exc.strerror or exc}.", file=sys.stderr)
        return 1
    if uninstall:
        back = new.get("statusLine")
        print(f"statusLine removed from {where}"
              + (f"; your own command is back: {back['command']}" if isinstance(back, dict) else "."))
    else:
        print(f"statusLine set in {where}: {new['statusLine']['command']}")
    print("Restart Claude Code (or open /statusline) to see it.")
    return 0


def preview(settings: dict[str, Any], new: dict[str, Any], where: str) -> int:
    """What ``--install`` would do, written nowhere: the entry now, the entry then, the chain."""
    before, after = settings.get("statusLine"), new["statusLine"]
    if new == settings:
        print(f"Already set up in {where}: {after['command']}")
        return 0
    print(f"setup claude-code would change statusLine in {where}:")
    print(f"  now:  {_show(before)}")
    print(f"  then: {_show(after)}")
    command = after["command"]
    if " --chain " in command:
        print("  Your current status command keeps running beside ours (--chain): "
              + command.split(" --chain ", 1)[1])
    print("Other keys are kept and a backup is written first. Nothing was written yet: "
          "run `claude-usage setup claude-code --install` to do it.")
    return 0
