"""Shared helpers for process-level tests: run the real commands, age a cache, wait, and drive a
private tmux server."""

from __future__ import annotations

import dataclasses
import json
import os
import shlex
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar

T = TypeVar("T")

BIN = Path(sys.executable).parent
LINE = str(BIN / "claude-usage-line")
CLI = str(BIN / "claude-usage")


def bin_env(**extra: str) -> dict[str, str]:
    """This environment with the venv's bin first on PATH (where the commands are), plus ``extra``."""
    return dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}", **extra)


def held_line(folder: Path) -> tuple[Path, Path, Path]:
    """(script, release, calls): a claude-usage-line that notes each start in ``calls``, then
    waits until the file ``release`` exists (60 s at most) before running the real one. A
    prompt that comes back while it waits did not wait for it, however loaded the machine."""
    script, release, calls = folder / "held-claude-usage-line", folder / "release", folder / "calls"
    q = shlex.quote
    script.write_text(f"#!/bin/sh\necho started >> {q(str(calls))}\ni=0\n"
                      f"while [ ! -e {q(str(release))} ] && [ $i -lt 3000 ]; do sleep 0.02; i=$((i + 1)); done\n"
                      f"exec {q(LINE)} \"$@\"\n")
    script.chmod(0o755)
    return script, release, calls


def prompts_while_held(name: str, pane: Any, rendered: Path, release: Path, calls: Path) -> str:
    """Drive a shell pane whose background render is ``held_line``'s: two prompts come back
    while the first render is held (none waits for it, none starts a second), then the render
    is let go and the next prompt shows it. Returns that prompt; the next render is held."""
    pane.wait_prompts(1)  # this prompt started the render in the background
    times = [pane.enter() for _ in range(2)]  # back while the render is held: none waited for it
    print(f"{name}: Enter -> next prompt in " + ", ".join(f"{t * 1000:.0f} ms" for t in times)
          + " while the render is held")
    assert not rendered.exists()  # the render is still held
    poll("the render to start", calls.exists, bool, 10)
    assert calls.read_text().count("started") == 1  # three prompts, one render: no stacking
    release.touch()
    poll("the rendered file", rendered.exists, bool, 30)
    release.unlink()  # the next render is held again
    pane.enter()  # back at once, with the segment, though it started another held render
    last = pane.prompts()[-1]
    print(f"{name} prompt after the render landed:", last.strip())
    return last


def line(*args: str, env: dict[str, str] | None = None, input: str | None = None,
         timeout: float = 10) -> subprocess.CompletedProcess[str]:
    return subprocess.run([LINE, *args], env=env or dict(os.environ), input=input,
                          capture_output=True, text=True, timeout=timeout)


def cli(*args: str, env: dict[str, str] | None = None, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, *args], env=env or dict(os.environ), capture_output=True, text=True,
                          timeout=timeout)


def fetch(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The fetcher in the foreground, as a real process."""
    return subprocess.run([sys.executable, "-m", "statusline.fetch.fetcher", *args], env=env or dict(os.environ),
                          capture_output=True, text=True, timeout=30)


def line_json(env: dict[str, str] | None = None, *extra: str) -> dict[str, Any]:
    r = line("--format", "json", "--no-refresh", *extra, env=env)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def poll(what: str, probe: Callable[[], T], ok: Callable[[T], Any], timeout: float = 10.0,
         every: float = 0.1) -> T:
    """Call ``probe`` every ``every`` seconds until ``ok`` holds for what it returned; return that.

    Past ``timeout`` it fails, naming ``what`` and the last value seen."""
    deadline = time.monotonic() + timeout
    while True:
        seen = probe()
        if ok(seen):
            return seen
        if time.monotonic() >= deadline:
            break
        time.sleep(every)
    plain = isinstance(seen, str) and all(c.isprintable() or c in "\n\t" for c in seen)
    shown = seen if plain else repr(seen)  # a plain screen reads best as it is; escapes as repr
    raise AssertionError(f"timed out after {timeout}s waiting for {what}; last seen:\n{shown}")


def wait_for(pred: Callable[[], Any], timeout: float = 10.0, every: float = 0.05) -> Any:
    """Wait until ``pred()`` is truthy and return it."""
    return poll("the condition", pred, bool, timeout, every)


def account_dir(mode: str = "auto") -> Path:
    from statusline.cache import paths

    return paths.resolve().account_dir(mode)


def age_cache(seconds: float, mode: str = "auto") -> None:
    """Move every timestamp in the cache ``seconds`` into the past: time passes, for the cache
    (the account's snapshot and view, the login's shared API budget, the spawn stamp)."""
    from statusline.cache import fastpaths, lineview, paths, store
    from statusline.fetch import budget, policy, pool

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
    p = paths.resolve()
    pool_dir = pool.directory(p, store.account_key(snap))
    shared = pool.read(pool_dir)
    b = shared.budget

    def back(x: float | None) -> float | None:
        return None if x is None else x - seconds

    b = dataclasses.replace(b, last_call=back(b.last_call), last_ok=back(b.last_ok),
                            backoff_until=back(b.backoff_until), bad_at=back(b.bad_at))
    shared = dataclasses.replace(shared, budget=b, usage_at=back(shared.usage_at),
                                 usage=shift(shared.usage) if shared.usage else None)
    if (pool_dir / pool.BUDGET).exists():
        pool.write(pool_dir, shared)
    ttls = policy.ttls()
    now = time.time()
    allowed = budget.allowed_at(b, now, ttls["profile"])
    view = lineview.build(snap, ttl=max(ttls["code"], b.spacing), cred_sig=fastpaths.cred_sig(str(p.credentials_file)),
                          next_call=allowed if allowed > now else None)
    store.save_snapshot(acct, snap, view)
    stamp = acct / store.SPAWN_STAMP
    if stamp.exists():
        t = stamp.stat().st_mtime - seconds
        os.utime(stamp, (t, t))


def fetcher_pids() -> list[int]:
    """Pids of this test's background fetchers running now (the line starts them detached):
    those whose cache dir is this test's, so tests running side by side (pytest -n) never see
    each other's."""
    mine = ("CLAUDE_USAGE_CACHE_DIR=" + os.environ.get("CLAUDE_USAGE_CACHE_DIR", "")).encode()
    out = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
                if b"statusline.fetch.fetcher" not in cmd or b"--background" not in cmd:
                    continue
                if mine not in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0"):
                    continue
            except OSError:
                continue
            out.append(int(pid))
    return out


def socket_path(name: str, env: dict[str, str] | None = None) -> Path:
    """Where ``tmux -L name`` keeps its socket."""
    env = os.environ if env is None else env
    return Path(env.get("TMUX_TMPDIR") or "/tmp") / f"tmux-{os.getuid()}" / name


class Tmux:
    """One private tmux server: a unique ``-L`` name, an empty config, its own environment.

    ``kill()`` stops the server and removes the socket file tmux leaves behind; call it in a
    ``finally``."""

    conf = Path(os.devnull)  # an empty config: nothing of the user's tmux.conf

    def __init__(self, tag: str = "test", env: dict[str, str] | None = None) -> None:
        self.name = f"cu-{tag}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.env = dict(os.environ if env is None else env)

    def __call__(self, *args: str, check: bool = True) -> str:
        proc = subprocess.run(["tmux", "-L", self.name, "-f", str(self.conf), *args], env=self.env,
                              capture_output=True, text=True, timeout=10)
        if check and proc.returncode != 0:
            raise AssertionError(f"tmux {' '.join(args)}: {proc.stderr}")
        return proc.stdout

    def start(self, *args: str) -> None:
        """``new-session`` with ``args`` (``-d``, ``-s name``, ``-x``/``-y``, the command...)."""
        self("new-session", *args)

    def capture(self, target: str | None = None, *, escapes: bool = False, history: bool = False) -> str:
        """The pane's text: with ``escapes`` its colours as escape sequences, with ``history``
        all its scrollback too."""
        return self("capture-pane", "-p", *(["-e"] if escapes else []), *(["-S", "-"] if history else []),
                    *(["-t", target] if target else []))

    def kill(self) -> None:
        self("kill-server", check=False)
        socket_path(self.name, self.env).unlink(missing_ok=True)  # tmux leaves its socket file behind


class PromptPane(Tmux):
    """An interactive shell in a private tmux server whose prompt carries ``marker``."""

    marker = "P>"

    def screen(self, escapes: bool = False) -> str:
        return self.capture(escapes=escapes)

    def prompt_lines(self, screen: str) -> list[str]:
        return [ln for ln in screen.split("\n") if self.marker in ln]

    def prompts(self, escapes: bool = False) -> list[str]:
        return self.prompt_lines(self.screen(escapes))

    def wait_prompts(self, n: int, timeout: float = 10.0) -> list[str]:
        screen = poll(f"{n} prompts", self.screen, lambda s: len(self.prompt_lines(s)) >= n, timeout, every=0.01)
        return self.prompt_lines(screen)

    def enter(self, timeout: float = 10.0) -> float:
        """Press Enter on an empty line; seconds until the next prompt is on screen."""
        before = len(self.prompts())
        t0 = time.monotonic()
        self("send-keys", "Enter")
        self.wait_prompts(before + 1, timeout)
        return time.monotonic() - t0


P = TypeVar("P", bound=Tmux)


@contextmanager
def panes() -> Iterator[Callable[[P], P]]:
    """``keep(pane)`` returns the pane and kills its server when the block ends: for fixtures."""
    made: list[Tmux] = []

    def keep(pane: P) -> P:
        made.append(pane)
        return pane

    try:
        yield keep
    finally:
        for pane in made:
            pane.kill()


def install_launcher(env: dict[str, str] | None = None, python: str | None = None) -> Path:
    """The real fast launch and its fallback (``launcher.ensure``), its ``#!`` then naming
    ``python`` when given."""
    from statusline.commands import launcher

    found = launcher.ensure(env)
    assert found, "the fast launch could not be written"
    fast = Path(found)
    if python:
        text = fast.read_text()
        fast.write_text(text.replace(text.split("\n", 1)[0], f"#!{python} -IS", 1))
    return fast


# --- colours as a terminal shows them (xterm's 256-colour palette), for contrast checks ---------

BASE16 = ["000000", "cd0000", "00cd00", "cdcd00", "0000ee", "cd00cd", "00cdcd", "e5e5e5",
          "7f7f7f", "ff0000", "00ff00", "ffff00", "5c5cff", "ff00ff", "00ffff", "ffffff"]


def xterm_rgb(n: int) -> tuple[int, int, int]:
    """The RGB of xterm colour ``n`` (0-255)."""
    if n < 16:
        h = BASE16[n]
        return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)
    if n < 232:
        steps = (0, 95, 135, 175, 215, 255)
        n -= 16
        return steps[n // 36], steps[n // 6 % 6], steps[n % 6]
    g = 8 + 10 * (n - 232)
    return g, g, g


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    """WCAG contrast ratio of two colours (1 to 21; 4.5 is the bar for text)."""
    def lum(rgb: tuple[int, int, int]) -> float:
        lin = [(c / 255 / 12.92) if c / 255 <= 0.03928 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)
