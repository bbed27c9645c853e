"""``claude-usage`` and ``claude-usage --watch``: the panel from the shared cache, once or live.

Neither ever waits on the network. Both read ``snapshot.json`` and, when the line would
(``cache_view.needs_fetch``), start the same detached fetcher the line starts; the next
re-read picks up what it wrote. ``--watch`` draws on the alternate screen, overwriting in
place (no scrolled copies, no clear-and-flash), follows resizes, and leaves on Ctrl+C with
status 0 and the terminal as it was.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import IO, Any

from . import cache_view, fastpaths, panel, policy, store
from .model import FetchError, Snapshot, utc
from .paths import Paths

DEBOUNCE = 5.0  # at most one fetcher start per this many seconds
TICK = 0.1  # how often the loop notices Ctrl+C and resizes
DEFAULT_WIDTH = 80
FOOTER = "Press Ctrl+C to stop"

Clock = Callable[[], float]


# --- the cache, as the panel sees it --------------------------------------------------------


def load(paths: Paths, mode: str, env: Mapping[str, str], now: float) -> tuple[Snapshot | None, str | None]:
    """(snapshot, problem) for the requested mode; no snapshot and no credentials says so."""
    acct = paths.account_dir(mode)
    snapshot, problem = store.load_snapshot(acct)
    if snapshot is None and not cache_view.has_credentials(env, fastpaths.cred_sig(str(paths.credentials_file))):
        detail = f"no Claude Code login in {paths.credentials_file} and no Admin API key"
        snapshot = Snapshot(last_error=FetchError("no_credentials", detail, utc(now)))
    return snapshot, problem


def ttl_for(snapshot: Snapshot | None, mode: str, env: Mapping[str, str]) -> float:
    kind = panel.panel_mode(snapshot, mode)
    return policy.ttls(env)[kind]


def refresh(paths: Paths, mode: str, now: float, env: Mapping[str, str]) -> str | None:
    """Start the detached fetcher when the line would; a problem text or None. Never waits.

    The decision is the line's own (``cache_view.needs_fetch`` on the same small view), so the
    panel and the prompt never disagree about when to fetch.
    """
    acct = str(paths.account_dir(mode))
    cred_sig = fastpaths.cred_sig(str(paths.credentials_file))
    return cache_view.refresh(acct, mode, cache_view.current_view(acct), cred_sig, env, now, DEBOUNCE)


def reap() -> None:
    """Collect exited fetchers so a long watch leaves no zombies behind."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except (ChildProcessError, OSError):
            return
        if pid == 0:
            return


# --- once ---------------------------------------------------------------------------------


def snapshot_json(snapshot: Snapshot | None, now: float, ttl: float, problem: str | None) -> dict[str, Any]:
    """The whole snapshot (the cache contract) plus its named ``status``."""
    data = (snapshot or Snapshot()).to_dict()
    data["status"] = panel.status(snapshot, now, ttl)
    if problem:
        data["problem"] = problem
    return data


def terminal_width(out: IO[str], env: Mapping[str, str]) -> int:
    """The terminal's width; ``COLUMNS`` or 80 when the output is not a terminal."""
    try:
        if out.isatty():
            return os.get_terminal_size(out.fileno()).columns
    except (OSError, ValueError, AttributeError):
        pass
    try:
        cols = int(env.get("COLUMNS") or 0)
    except ValueError:
        cols = 0
    return cols if cols > 0 else DEFAULT_WIDTH


def print_once(paths: Paths, mode: str, *, env: Mapping[str, str] | None = None, json_out: bool = False,
               out: IO[str] | None = None, clock: Clock = time.time, tz: Any = None) -> int:
    """Print the panel (or ``--json``) from the cache and start a refresh if it is stale."""
    env = os.environ if env is None else env
    out = sys.stdout if out is None else out
    now = clock()
    snapshot, problem = load(paths, mode, env, now)
    ttl = ttl_for(snapshot, mode, env)
    note = refresh(paths, mode, now, env)
    problem = problem or note
    try:
        if json_out:
            out.write(json.dumps(snapshot_json(snapshot, now, ttl, problem), indent=2, sort_keys=True) + "\n")
        else:
            tty = _isatty(out)
            color = tty and not env.get("NO_COLOR")
            text = panel.render_text(snapshot, now, ttl=ttl, width=terminal_width(out, env), color=color,
                                     tz=tz, problem=problem, mode=mode)
            out.write(text + "\n")
        out.flush()
    except BrokenPipeError:  # `claude-usage | head` is not an error
        _silence_stdout()
    return 0


def _isatty(out: IO[str]) -> bool:
    try:
        return out.isatty()
    except (ValueError, AttributeError):
        return False


def _silence_stdout() -> None:
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):
        pass


# --- live ---------------------------------------------------------------------------------


@contextmanager
def stop_on_signals() -> Iterator[threading.Event]:
    """Ctrl+C, SIGTERM and SIGHUP set an event instead of raising mid-draw.

    The loop then leaves through the normal path, so the terminal is always restored and no
    traceback can appear, whenever the signal lands.
    """
    stop = threading.Event()
    previous: dict[int, Any] = {}

    def handler(signum: int, frame: Any) -> None:
        stop.set()

    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        sig = getattr(signal, name, None)
        if sig is None:
            continue
        try:
            previous[sig] = signal.signal(sig, handler)
        except (ValueError, OSError):  # not the main thread
            pass
    try:
        yield stop
    finally:
        for sig, old in previous.items():
            try:
                signal.signal(sig, old)
            except (ValueError, OSError):
                pass


@contextmanager
def quiet_keyboard(stream: IO[str] | None) -> Iterator[None]:
    """Stop typed keys from echoing over the panel; the terminal's settings come back after."""
    try:
        import termios

        fd = stream.fileno()  # type: ignore[union-attr]
        saved = termios.tcgetattr(fd) if os.isatty(fd) else None
    except Exception:  # no termios, no stdin, or not a terminal: nothing to quieten
        saved = None
    if saved is None:
        yield
        return
    try:
        quiet = list(saved)
        quiet[3] = quiet[3] & ~termios.ECHO
        termios.tcsetattr(fd, termios.TCSANOW, quiet)
        yield
    finally:
        try:
            termios.tcsetattr(fd, termios.TCSAFLUSH, saved)  # and drop keys typed at the panel
        except (OSError, termios.error):
            pass


def frame(snapshot: Snapshot | None, now: float, *, ttl: float, width: int, mode: str,
          problem: str | None, tz: Any = None) -> Any:
    """What one redraw shows: the panel and a hint line."""
    from rich.console import Group
    from rich.text import Text

    try:
        box: Any = panel.build(snapshot, now, ttl=ttl, width=width, tz=tz, problem=problem, mode=mode)
    except Exception as exc:  # a rendering bug must not take the terminal down with a traceback
        box = Text(f"claude-usage: cannot draw the panel: {type(exc).__name__}: {exc}", style="red")
    return Group(box, Text(FOOTER, style="dim", no_wrap=True, overflow="ellipsis"))


def run(paths: Paths, mode: str, interval: float = 2.0, *, env: Mapping[str, str] | None = None) -> int:
    """Redraw the panel in place until Ctrl+C; re-read the cache every ``interval`` seconds."""
    from rich.console import Console
    from rich.live import Live

    env = os.environ if env is None else env
    interval = max(0.2, float(interval))
    # COLUMNS/LINES would pin rich to one size: the terminal's own size follows resizes.
    environ = {k: v for k, v in env.items() if k not in ("COLUMNS", "LINES")}
    console = Console(highlight=False, _environ=environ)
    if not console.is_terminal:
        return print_once(paths, mode, env=env)
    with stop_on_signals() as stop, quiet_keyboard(sys.stdin):
        live = Live(console=console, screen=True, auto_refresh=False, transient=False,
                    redirect_stdout=False, redirect_stderr=False)
        with live:
            loop(live, console, paths, mode, interval, env, stop)
    reap()
    return 0


def loop(live: Any, console: Any, paths: Paths, mode: str, interval: float, env: Mapping[str, str],
         stop: threading.Event, clock: Clock = time.time) -> None:
    """Re-read on the interval, redraw when the data or the terminal's size changed."""
    next_read = 0.0
    shown: tuple[Any, ...] | None = None
    snapshot: Snapshot | None = None
    problem: str | None = None
    while not stop.is_set():
        now = clock()
        if now >= next_read:
            snapshot, problem = load(paths, mode, env, now)
            problem = problem or refresh(paths, mode, now, env)
            next_read = now + interval
        size = console.size
        key = (id(snapshot), problem, size.width, size.height)  # a re-read or a resize
        if key != shown:
            ttl = ttl_for(snapshot, mode, env)
            live.update(frame(snapshot, now, ttl=ttl, width=size.width, mode=mode, problem=problem),
                        refresh=True)
            shown = key
        reap()
        stop.wait(TICK)


__all__ = ["run", "print_once", "snapshot_json", "load", "refresh"]
