"""The one corpus of hostile strings (issue 17): what an attacker holding a model or org name,
an error message or Claude Code's input would pick, for every target we write to.

``corpus(pwned)`` fills ``{p}`` with a short directory: any file that appears there is a
command that ran. Keep the directory short (``short_dir``): model names are cut at 40
characters, and a cut ``#(touch …`` proves nothing.

``line_spans(name)`` is the real path of a model name into the line: a usage body parsed by
``sources.usage_api`` (which cleans it), the Snapshot, ``cache.lineview`` (marshalled as the
cache file is), ``render.segments``. Each test then writes the spans through a target's door
and checks the result in the real program.
"""

from __future__ import annotations

import marshal
import re
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import guard

TMUX = ["#(touch {p}/a)", "x#(touch {p}/b)y", "#[reverse]REV#[default]", "#{host}", "#{?pane_active,yes,no}",
        "#{s/a/b/:host}", "##(touch {p}/c)", "#", "##", "#{", "#["]
STRFTIME = ["%H:%M %%", "%s%n%t", "100%"]
SEMICOLON = [";", "a;b", "end;", "end\\;", "\\;"]
SHELL = ["$(touch {p}/d)", "`touch {p}/e`", "${HOME}", "$((6*7))", "$HOME", "(touch {p}/f)", "%F{red}red%f",
         "%{\x1b[7m%}", "%B%~%b", "\\u@\\h", "\\e]52;c;aGk=\\a", "\\[\\e[7m\\]rev\\[\\e[0m\\]", "\\$ \\w \\\\",
         "\\033[2J", "!!", "!$"]
ESCAPES = ["\x1b]0;PWNED-TITLE\x07", "\x1b]8;;http://evil/\x1b\\link\x1b]8;;\x1b\\", "\x1b]52;c;aGFja2Vk\x07",
           "\x1b[2J", "\x1b[7mREV", "\x9b2J", "\x9d0;PWNED\x9c", "\x85next", "\x00nul\x7fdel",
           "\u202eevil\u2066x\u2069", "\u200eltr\u200f"]
LINES = ["line1\nline2", "cr\rover", "tab\there", "\u2028ls\u2029ps"]
MARKUP = ["<b>bold</b>", "<span foreground='red'>x</span>", "a & b", "&amp;", "&lt;", "&#60;", "&", "<", ">",
          "\"quoted\" 'single'", "<![CDATA[x]]>", "<!-- c -->"]
OPTIONS = ["--help", "--icon=/x", "-u critical", "-", "--", "-ufoo"]
FORMULAS = ["=cmd|' /C calc'!A0", "=HYPERLINK(\"http://x\")", "+1", "-1", "@x", "\tx", "\rx", "a\r=cmd"]
UNICODE = ["e" + "\u0301" * 300, "Z\u0351\u036b\u0343\u036a\u0302A\u0334\u0335L\u0360G\u0334O\u0335",
           "\U0001F468\u200d\U0001F469\u200d\U0001F467\u200d\U0001F466",
           "\U0001F468\u200d\U0001F469\u200d\U0001F467\u200d\U0001F466" * 12,
           "\U0001F3F3\ufe0f\u200d\U0001F308", "\u2764\ufe0f", "\u6f22\u5b57\u30c6\u30b9\u30c8",
           "\uff46\uff55\uff4c\uff4c", "\u200b\u200c\u200d\ufeff"]
LONG = ["A" * 5000, "#" * 300, "%" * 300, "\\" * 300, "<" * 300, "-" * 300]

CORPUS = TMUX + STRFTIME + SEMICOLON + SHELL + ESCAPES + LINES + MARKUP + OPTIONS + FORMULAS + UNICODE + LONG


def short_dir() -> Path:
    """A fresh directory with a short path (``/tmp/cuXXXXXX``) for ``{p}``; remove it after."""
    return guard.public_dir("cu")


def corpus(pwned: Path, strings: list[str] = CORPUS) -> list[str]:
    """Every hostile string (or those of ``strings``, a part of ``CORPUS``), ``{p}`` filled with
    ``pwned`` (the directory that must stay empty)."""
    return [s.replace("{p}", str(pwned)) for s in strings]


def ran(pwned: Path) -> list[str]:
    """The files a command from the corpus left in ``pwned``: empty when nothing ran."""
    return sorted(p.name for p in pwned.iterdir())


NOW = time.time()


def usage_with_model(name: str, now: float = NOW) -> dict[str, Any]:
    """A usage body whose per-model weekly limit (92 %, the line's weekly slot) is ``name``."""
    from apiserver import usage_body

    iso = datetime.fromtimestamp(now + 86400, tz=timezone.utc).isoformat()
    return usage_body(now=now, limits=[{"kind": "weekly_scoped", "percent": 92, "resets_at": iso,
                                        "scope": {"model": {"display_name": name}}}])


def line_view(name: str, now: float = NOW) -> dict[str, Any]:
    """The line's view (``line.bin``) of a cache whose model name is ``name``, through the real
    parser and marshalled as the cache file is."""
    from statusline.cache import lineview
    from statusline.core.model import Snapshot
    from statusline.sources import usage_api

    at = datetime.fromtimestamp(now, tz=timezone.utc)
    snap = Snapshot(mode="code", usage=usage_api.usage(usage_with_model(name, now)), usage_fetched_at=at)
    return marshal.loads(marshal.dumps(lineview.build(snap, ttl=3600, cred_sig=None), 4))


def plant_view(root: Path, name: str, env: dict[str, str], now: float | None = None) -> Path:
    """A cache root whose line view (``line.bin``, fresh for an hour) holds the model name
    ``name``, where the line run with ``env`` and ``CLAUDE_USAGE_CACHE_DIR=root`` reads it (mode
    auto): the line then shows it with no fetch. Returns ``root``."""
    from statusline.cache import fastpaths

    acct = Path(fastpaths.account_dir(str(root), fastpaths.config_dir(env), "auto"))
    acct.mkdir(parents=True, mode=0o700)
    (acct / "line.bin").write_bytes(marshal.dumps(line_view(name, time.time() if now is None else now), 4))
    return root


def line_spans(name: str, now: float = NOW) -> list[tuple[str, str]]:
    """The line's spans for that cache (plain glyphs: what tmux and Starship are given)."""
    from statusline.render import segments

    return segments.build(line_view(name, now), now, "plain", True, None)


# What no target may receive from outside: C0, DEL, C1 (ESC, CSI, OSC, ST...), the bidi marks,
# embeddings, overrides and isolates, the Unicode line separators, lone surrogates. Written here
# apart from the code's own rule (``core/clean.is_control``), so the tests check it.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def controls(text: str) -> list[str]:
    """The control characters in ``text`` (empty when it is inert)."""
    return _CONTROL.findall(text)


_PANGO_TAG = re.compile(r"<|>")
_PANGO_ENTITY = re.compile(r"&(amp|lt|gt|quot|apos);")


def pango_inert(markup: str) -> str:
    """The text ``markup`` shows, asserting it is valid Pango markup with no element from
    outside: no ``<``/``>`` at all, and ``&`` only in the five named entities."""
    assert not _PANGO_TAG.search(markup), markup
    bare = _PANGO_ENTITY.sub("", markup)
    assert "&" not in bare, markup
    import xml.etree.ElementTree as ET

    root = ET.fromstring("<x>%s</x>" % markup)  # Pango's markup is XML: it parses
    assert list(root) == []
    return root.text or ""


def applescript_value(literal: str) -> str:
    """The value of an AppleScript string literal, asserting it is one: quotes around, inside
    only ``\\\\`` and ``\\"`` escapes, no bare quote and no control character."""
    assert literal[:1] == literal[-1:] == '"' and len(literal) >= 2, literal
    out, i, inner = [], 0, literal[1:-1]
    while i < len(inner):
        ch = inner[i]
        assert ch != '"' and not controls(ch), literal
        if ch == "\\":
            assert inner[i + 1] in '\\"', literal
            ch, i = inner[i + 1], i + 1
        out.append(ch)
        i += 1
    return "".join(out)


SESSION_FIELDS = ("session_name", "agent.name", "output_style.name", "worktree.branch", "worktree.name",
                  "workspace.git_worktree", "workspace.repo.owner", "workspace.repo.name", "pr.url", "model.display_name")


def session_input(name: str, now: float = NOW, cwd: str = "/nonexistent") -> dict[str, Any]:
    """A statusLine input shaped as Claude Code 2.1.332 sends it, ``name`` in every text field a
    session item shows (``SESSION_FIELDS``: the session's, agent's, output style's, branch's,
    worktree's, repository's names, the PR link, the model), every number plausible."""
    doc: dict[str, Any] = {
        "session_id": "hostile", "cwd": cwd, "version": "2.1.332",
        "workspace": {"current_dir": cwd, "project_dir": cwd, "added_dirs": []},
        "effort": {"level": "high"}, "thinking": {"enabled": True}, "fast_mode": True,
        "context_window": {"context_window_size": 200000, "used_percentage": 62, "total_input_tokens": 124000},
        "cost": {"total_cost_usd": 1.23, "total_duration_ms": 720000, "total_lines_added": 120,
                 "total_lines_removed": 30},
        "pr": {"number": 4242, "review_state": "approved"},
        "prompt_cache": {"warm": True, "expires_at": now + 240, "ttl": "5m"},
        "vim": {"mode": "NORMAL"},
        "rate_limits": {"five_hour": {"used_percentage": 78, "resets_at": int(now + 6000)},
                        "seven_day": {"used_percentage": 41, "resets_at": int(now + 250000)}},
    }
    for field in SESSION_FIELDS:
        *path, last = field.split(".")
        node = doc
        for key in path:
            node = node.setdefault(key, {})
        node[last] = name
    return doc
