"""``claude-usage-line --claude-code``: Claude Code's statusLine command.

Claude Code pipes a JSON object to the command on stdin and shows what it prints. That
input carries ``rate_limits`` (Pro/Max, since 2.1.80): the freshest numbers there are, at no
API cost. We harvest them into the shared cache (``harvest.bin``) so tmux and prompts show
them too and the fetcher skips the API while they are fresh.

Claude Code cancels a run that takes too long and once left stdin open with no EOF, so
stdin is read with a deadline and parsing stops at the first complete JSON object.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
from typing import Any

from . import dialects, fastpaths, history, notify, segments
from .line import load, merge_windows, read_view

STDIN_DEADLINE_S = 0.5
CHAIN_TIMEOUT_S = 3.0
HARVEST_MODES = ("auto", "code")


def read_stdin(fd: int = 0, deadline: float = STDIN_DEADLINE_S, limit: int = 1 << 20) -> bytes:
    """Read until EOF, a complete JSON object, ``limit`` bytes or the deadline."""
    import time

    end = time.monotonic() + deadline
    buf = b""
    decoder = json.JSONDecoder()
    while len(buf) < limit:
        left = end - time.monotonic()
        if left <= 0:
            break
        try:
            ready, _, _ = select.select([fd], [], [], left)
        except (OSError, ValueError):
            break
        if not ready:
            break
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        buf += chunk
        try:
            decoder.raw_decode(buf.decode("utf-8", "replace").lstrip())
            break  # one whole object is all Claude Code sends
        except ValueError:
            continue
    return buf


def parse_input(raw: bytes) -> dict[str, Any]:
    """The statusLine object, or {} for empty, partial or malformed input."""
    text = raw.decode("utf-8", "replace").strip()
    if not text:
        return {}
    try:
        obj, _ = json.JSONDecoder().raw_decode(text)
    except ValueError:
        return {}
    return obj if isinstance(obj, dict) else {}


def _num(v: Any) -> float | None:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def readings(data: dict[str, Any]) -> list[tuple[str, None, float, float | None]]:
    """``rate_limits`` windows as line-view tuples (resets in epoch seconds)."""
    rl = data.get("rate_limits")
    out: list[tuple[str, None, float, float | None]] = []
    if not isinstance(rl, dict):
        return out
    for key in ("five_hour", "seven_day"):
        w = rl.get(key)
        if not isinstance(w, dict):
            continue
        pct = _num(w.get("used_percentage"))
        if pct is None:
            continue
        resets = _num(w.get("resets_at"))
        if resets is not None and resets > 1e11:  # tolerate milliseconds
            resets /= 1000.0
        out.append((key, None, pct, resets))
    return out


def harvest(new: list[tuple[str, None, float, float | None]], env: Any, now: float) -> None:
    """Merge readings into each account dir's harvest file, atomically."""
    import marshal
    import tempfile

    cfg = fastpaths.config_dir(env)
    root = fastpaths.cache_root(env)
    readings = history.from_windows(new, now, "claude-code")
    for mode in HARVEST_MODES:
        acct = fastpaths.account_dir(root, cfg, mode)
        path = os.path.join(acct, "harvest.bin")
        old = read_view(path) or {}
        doc = {"v": 1, "fetched": now, "windows": merge_windows(old.get("windows"), new)}
        try:
            os.makedirs(acct, mode=0o700, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".harvest.", dir=acct)
            with os.fdopen(fd, "wb") as fh:
                marshal.dump(doc, fh, 4)
            os.replace(tmp, path)
        except OSError:
            pass  # an unwritable cache must not blank Claude Code's status line
        history.note(acct, readings, now)  # cheap: an append; the fetcher folds it in
    notify.maybe_notify(acct, readings, now, env)  # off unless CLAUDE_USAGE_NOTIFY; state per config dir


def extras(data: dict[str, Any], items: str, g: dict[str, str]) -> list[tuple[str, str]]:
    """Model, context-window percentage and session cost, when the user asks for them."""
    spans: list[tuple[str, str]] = []
    wanted = [i.strip() for i in items.split(",") if i.strip()]
    for item in wanted:
        text, level = None, "text"
        if item == "model":
            m = data.get("model")
            text = (m.get("display_name") or m.get("id")) if isinstance(m, dict) else None
            level = "info"
        elif item == "context":
            cw = data.get("context_window")
            pct = _num(cw.get("used_percentage")) if isinstance(cw, dict) else None
            if pct is not None:
                text, level = f"ctx {int(pct)}%", segments.level(int(pct))
        elif item == "cost":
            c = data.get("cost")
            usd = _num(c.get("total_cost_usd")) if isinstance(c, dict) else None
            if usd is not None:
                text = f"${usd:.2f}"
        if text:
            spans += [(g["sep"], "muted"), (str(text), level)]
    return spans


def chain(cmd: str, raw: bytes, env: Any) -> list[str]:
    """Run the user's previous status command with the same stdin; its lines, or []."""
    try:
        proc = subprocess.run(["/bin/sh", "-c", cmd], input=raw, capture_output=True,
                              timeout=CHAIN_TIMEOUT_S, env=dict(env))
    except (OSError, subprocess.TimeoutExpired):
        return []
    return proc.stdout.decode("utf-8", "replace").rstrip("\n").splitlines()


def run(opts: dict[str, Any], env: Any, now: float) -> str:
    raw = read_stdin()
    data = parse_input(raw)
    new = readings(data)
    if new:
        harvest(new, env, now)
    view, cred_sig, note = load(opts, env, now)
    glyphs = opts.get("glyphs") or "emoji"
    g = segments.GLYPHS.get(glyphs, segments.GLYPHS["emoji"])
    spans = segments.build(view, now, glyphs, cred_sig is not None or bool(new), note,
                           show_rate="rate" in (opts.get("show") or "").split(","))
    spans += extras(data, opts.get("show") or "", g)
    color = not env.get("NO_COLOR")
    ours = dialects.render(spans, "ansi", color)
    if opts.get("chain"):
        theirs = chain(opts["chain"], raw, env)
        if theirs:
            return "\n".join([ours + dialects.render([(" \u2502 ", "muted")], "ansi", color) + theirs[0], *theirs[1:]])
    return ours

