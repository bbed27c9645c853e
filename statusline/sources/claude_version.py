"""Which Claude Code the user runs: the version our requests name in their User-Agent.

The usage endpoint sorts clients by User-Agent (2026 reports: persistent 429s for another
agent string, 200s for ``claude-code/<version>``), so we send the version the user really has:
the one the hook saw in Claude Code's own input, else ``claude --version`` (run rarely, by the
fetcher, never on a prompt's path, and remembered), else a recent fallback.
"""

from __future__ import annotations

import shutil
import stat
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path

FALLBACK = "2.1.0"
FILE = "claude-code.version"  # written by the hook (hook.VERSION_FILE)
PROBED = "claude-code.probed"  # what ``claude --version`` said, and when (its mtime)
PROBE_EVERY_S = 86400.0


def valid(text: str | None) -> str | None:
    """``2.1.90`` from ``2.1.90`` or ``2.1.90 (Claude Code)``; None when it is no version."""
    if not text:
        return None
    word = text.strip().split(" ")[0] if text.strip() else ""
    parts = word.split(".")
    ok = (1 <= len(word) <= 32 and word.isascii() and len(parts) >= 2
          and all(p.isdigit() for p in parts[:3]) and all(c.isalnum() or c in ".-+" for c in word))
    return word if ok else None


def _read(path: Path) -> str | None:
    from statusline.cache import safefiles

    try:  # ours, a regular file (a FIFO would hang us), bounded, no link followed
        return valid(safefiles.read_own(str(path), 4096)[:64].decode("ascii", "replace"))
    except OSError:
        return None


def probe(env: Mapping[str, str]) -> str | None:
    """``claude --version`` with a short timeout; None when it is absent or says nothing usable."""
    exe = shutil.which("claude", path=env.get("PATH"))
    if not exe:
        return None
    try:
        proc = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=10,
                              stdin=subprocess.DEVNULL, env=dict(env), cwd="/")
    except (OSError, subprocess.SubprocessError, ValueError):
        return None
    return valid(proc.stdout) if proc.returncode == 0 else None


def current(cache_root: Path, env: Mapping[str, str], now: float | None = None) -> str:
    """The version to send: the hook's, else a remembered probe (re-probed daily), else FALLBACK."""
    seen = _read(cache_root / FILE)
    if seen:
        return seen
    path = cache_root / PROBED
    now = time.time() if now is None else now
    try:
        st = path.lstat()  # a link planted there is no probe of ours: probe again, replace it
        fresh = stat.S_ISREG(st.st_mode) and 0 <= now - st.st_mtime < PROBE_EVERY_S
    except OSError:
        fresh = False
    if fresh:
        return _read(path) or FALLBACK
    found = probe(env)
    from statusline.cache import safefiles

    try:  # the one writer: exclusive, unpredictable temp name, 0600 on what it created only
        safefiles.makedirs_private(str(cache_root))
        safefiles.write_atomic(str(path), ((found or "") + "\n").encode("ascii"), sync=False)
    except OSError:
        pass
    return found or FALLBACK
