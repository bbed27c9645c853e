"""Shared helpers for process-level tests: run the real commands, age a cache, wait."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable

BIN = Path(sys.executable).parent
LINE = str(BIN / "claude-usage-line")
CLI = str(BIN / "claude-usage")


def line(*args: str, env: dict[str, str] | None = None, input: str | None = None,
         timeout: float = 10) -> subprocess.CompletedProcess[str]:
    return subprocess.run([LINE, *args], env=env or dict(os.environ), input=input,
                          capture_output=True, text=True, timeout=timeout)


def cli(*args: str, env: dict[str, str] | None = None, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, *args], env=env or dict(os.environ), capture_output=True, text=True,
                          timeout=timeout)


def fetch(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The fetcher in the foreground, as a real process."""
    return subprocess.run([sys.executable, "-m", "statusline.fetcher", *args], env=env or dict(os.environ),
                          capture_output=True, text=True, timeout=30)


def line_json(env: dict[str, str] | None = None, *extra: str) -> dict[str, Any]:
    r = line("--format", "json", "--no-refresh", *extra, env=env)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def wait_for(pred: Callable[[], Any], timeout: float = 10.0, every: float = 0.05) -> Any:
    end = time.time() + timeout
    while time.time() < end:
        value = pred()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"condition not met within {timeout}s")


def account_dir(mode: str = "auto") -> Path:
    from statusline import paths

    return paths.resolve().account_dir(mode)


def age_cache(seconds: float, mode: str = "auto") -> None:
    """Move every timestamp in the cache ``seconds`` into the past: time passes, for the cache."""
    from statusline import fastpaths, lineview, store

    acct = account_dir(mode)
    snap, _ = store.load_snapshot(acct)
    assert snap is not None
    delta = timedelta(seconds=seconds)

    def shift(obj: Any) -> Any:
        if isinstance(obj, datetime):
            return obj - delta
        if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            return dataclasses.replace(obj, **{f.name: shift(getattr(obj, f.name)) for f in dataclasses.fields(obj)})
        if isinstance(obj, tuple):
            return tuple(shift(x) for x in obj)
        return obj

    snap = shift(snap)
    ttl = float(os.environ.get("CLAUDE_USAGE_TTL") or 30)
    view = lineview.build(snap, ttl=ttl, cred_sig=fastpaths.cred_sig(fastpaths.credentials_path()))
    store.save_snapshot(acct, snap, view)
    stamp = acct / store.SPAWN_STAMP
    if stamp.exists():
        t = stamp.stat().st_mtime - seconds
        os.utime(stamp, (t, t))
