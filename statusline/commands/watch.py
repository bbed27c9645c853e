"""``claude-usage`` and ``claude-usage --watch``: the panel from the shared cache, once or live.

Neither ever waits on the network. Both read ``snapshot.json`` and, when the line would
(``cache_view.needs_fetch``), start the same detached fetcher the line starts; the next
re-read picks up what it wrote. ``--watch`` draws on the alternate screen, overwriting in
place (no scrolled copies, no clear-and-flash), follows resizes, says so when the pane is
too short for the whole panel, and leaves on ``q`` or Ctrl+C with status 0 and the terminal
as it was. Where the terminal cannot move the cursor (``TERM=dumb``, unset, or unknown to
terminfo), or stdout is a pipe or a file, it prints the panel as plain text instead, again
whenever it changes, until stopped (or the reader goes away).
"""

from __future__ import annotations

import json
import os
import select
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import IO, Any

from statusline.cache import cache_view, fastpaths, store
from statusline.cache.paths import Paths
from statusline.core.model import FetchError, Snapshot, utc
from statusline.fetch import policy
from statusline.render import panel

DEBOUNCE = 5.0  # at most one fetcher start per this many seconds
TICK = 0.1  # how often the loop notices Ctrl+C and resizes
DEFAULT_WIDTH = 80
FOOTER = "Press q or Ctrl+C to stop"
QUIT_KEYS = frozenset(b"qQ")

Clock = Callable[[], float]


# --- the cache, as the panel sees it --------------------------------------------------------


def load(paths: Paths, mode: str, env: Mapping[str, str], now: float) -> tuple[Snapshot | None, str | None]:
    """(snapshot, problem) for the requested mode; no snapshot and no credentials says so."""
    acct = paths.account_dir(mode)
    snapshot, problem = store.load_snapshot(acct)
    if snapshot is None and mode == "console" and not _admin_key(paths, env):
        snapshot = Snapshot(mode="console", last_error=FetchError("no_credentials", "no Admin API key", utc(now)))
    elif snapshot is None and not cache_view.has_credentials(env, fastpaths.auth_sig(str(paths.config_dir), env)):
        detail = f"no Claude Code login in {paths.credentials_file} and no Admin API key"
        snapshot = Snapshot(last_error=FetchError("no_credentials", detail, utc(now)))
    return snapshot, problem


def _admin_key(paths: Paths, env: Mapping[str, str]) -> bool:
    from statusline.sources import credentials

    return credentials.load(paths, env).admin_key is not None


def ttl_for(snapshot: Snapshot | None, mode: str, env: Mapping[str, str]) -> float:
    kind = panel.panel_mode(snapshot, mode)
    return policy.ttls(env)[kind]


def refresh(paths: Paths, mode: str, now: float, env: Mapping[str, str]) -> str | None:
    """Start the detached fetcher when the line would; a problem text or None. Never waits.

    The decision is the line's own (``cache_view.needs_fetch`` on the same small view), so the
    panel and the prompt never disagree about when to fetch.
    """
    acct = str(paths.account_dir(mode))
    cred_sig = fastpaths.auth_sig(str(paths.config_dir), env)
    return cache_view.refresh(acct, mode, cache_view.current_view(acct, now), cred_sig, env, now, DEBOUNCE)


def reap() -> None:
    """Collect exited fetchers so a long watch leaves no zombies behind."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except (ChildProcessError, OSError):
            return
        if pid == 0:
            return


def history_args(paths: Paths, mode: str, env: Mapping[str, str], now: float) -> dict[str, Any]:
    """The panel's arguments from outside the snapshot: samples of the last week, and the look
    (``look_args``)."""
    from statusline.cache import history

    try:
        samples = history.load(cache_view.history_dir(str(paths.account_dir(mode))), since=now - 8 * 86400)
    except OSError:
        samples = []
    return {"samples": samples, **look_args(env)}


def look_args(env: Mapping[str, str]) -> dict[str, Any]:
    """What every panel draw takes from the settings: ASCII sparklines under NO_COLOR, the
    forecast's options, and config.toml's thresholds and numbers (used or left), as on the line."""
    from statusline.cache import config
    from statusline.core import forecast
    from statusline.render import segments

    settings = config.load(env=env)
    return {"ascii_only": bool(env.get("NO_COLOR")), "options": forecast.options(env),
            "thresholds": segments.thresholds(config.line_config(settings)), "numbers": settings.line_numbers}


# --- once ---------------------------------------------------------------------------------


SNAPSHOT_KIND = "snapshot"  # `claude-usage-line --format json` says "kind": "line"


def snapshot_json(snapshot: Snapshot | None, now: float, ttl: float, problem: str | None) -> dict[str, Any]:
    """``claude-usage --json``: the whole snapshot (the cache contract, its own schema 1) with
    ``"kind": "snapshot"``, its named ``status`` and ``problem`` (null when none); see docs/json.md."""
    data = {"kind": SNAPSHOT_KIND, **(snapshot or Snapshot()).to_dict()}
    data["status"] = panel.status(snapshot, now, ttl)
    data["problem"] = problem or None
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
                                     tz=tz, problem=problem, mode=mode, **history_args(paths, mode, env, now))
            out.write(text + "\n")
        out.flush()
    except BrokenPipeError:  # `claude-usage | head` is not an error
        _silence_stdout()
    return 0


def print_all(paths: Paths, *, env: Mapping[str, str] | None = None, json_out: bool = False,
              out: IO[str] | None = None, clock: Clock = time.time, tz: Any = None) -> int:
    """``claude-usage --all``: every account this user's cache holds (``store.every_account``),
    each under the config dir it was seen in, from the cache only: no fetch is started, nothing
    is called, so it is instant and never spends any account's API budget."""
    from statusline.cache import history
    from statusline.core import clean

    env = os.environ if env is None else env
    out = sys.stdout if out is None else out
    now = clock()
    accounts = store.every_account(paths.cache_root)
    try:
        if json_out:
            docs = []
            for _acct, snap in accounts:
                doc = snapshot_json(snap, now, ttl_for(snap, snap.mode or "auto", env), None)
                doc["config_dir"] = clean.text(snap.extra.get("config_dir"), 400)
                doc["account_key"] = store.account_key(snap)
                docs.append(doc)
            out.write(json.dumps({"kind": "accounts", "accounts": docs}, indent=2, sort_keys=True) + "\n")
        elif not accounts:
            out.write("No account in the cache yet: run `claude-usage` or `claude-usage refresh` first.\n")
        else:
            color = _isatty(out) and not env.get("NO_COLOR")
            width = terminal_width(out, env)
            look = look_args(env)
            for i, (acct, snap) in enumerate(accounts):
                where = clean.text(snap.extra.get("config_dir"), 400) or "(config dir not recorded)"
                try:
                    samples = history.load(cache_view.key_dir(acct, store.account_key(snap)), since=now - 8 * 86400)
                except OSError:
                    samples = []
                text = panel.render_text(snap, now, ttl=ttl_for(snap, snap.mode or "auto", env), width=width,
                                         color=color, tz=tz, mode=snap.mode, samples=samples, **look)
                out.write(("\n" if i else "") + f"{where}\n{text}\n")
        out.flush()
    except BrokenPipeError:
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
def keyboard(stream: IO[str] | None) -> Iterator[int | None]:
    """Keys one at a time, unechoed (cbreak) while the panel is up; the settings come back after.

    Yields the descriptor to read keys from, or None when ``stream`` is not a terminal (then
    only signals stop the watch). ISIG stays on, so Ctrl+C still raises SIGINT.
    """
    try:
        import termios

        fd = stream.fileno()  # type: ignore[union-attr]
        saved = termios.tcgetattr(fd) if os.isatty(fd) else None
    except Exception:  # no termios, no stdin, or not a terminal: no keys to read
        saved = None
    if saved is None:
        yield None
        return
    try:
        cbreak = list(saved)
        cbreak[3] = cbreak[3] & ~(termios.ECHO | termios.ICANON)
        cc = list(cbreak[6])
        cc[termios.VMIN], cc[termios.VTIME] = 1, 0
        cbreak[6] = cc
        termios.tcsetattr(fd, termios.TCSANOW, cbreak)
        yield fd
    finally:
        try:
            termios.tcsetattr(fd, termios.TCSAFLUSH, saved)  # and drop keys typed at the panel
        except (OSError, termios.error):
            pass


quiet_keyboard = keyboard  # the old name


def wait_for_key(fd: int | None, stop: threading.Event, timeout: float) -> None:
    """Sleep up to ``timeout``; a ``q`` typed meanwhile (or a closed stdin) sets ``stop``."""
    if fd is None:
        stop.wait(timeout)
        return
    try:
        ready, _, _ = select.select([fd], [], [], timeout)
        if not ready:
            return
        data = os.read(fd, 64)
    except InterruptedError:
        return
    except (OSError, ValueError):
        stop.wait(timeout)
        return
    if not data or QUIT_KEYS.intersection(data):
        stop.set()


def capable(term: str | None, fd: int | None = None) -> bool:
    """Whether the terminal can redraw in place: a known TERM (not dumb) that can move the cursor."""
    term = (term or "").strip()
    if term in ("", "dumb", "unknown") or "/" in term or not terminfo_known(term):
        return False
    try:
        import curses
    except ImportError:  # a Python built without curses: the entry exists, trust it
        return True
    try:  # (CPython sets the terminal up once per process: later calls change nothing)
        curses.setupterm(term, -1 if fd is None else fd)
        return bool(curses.tigetstr("cup"))
    except Exception:  # no terminfo entry for it: assume the worst
        return False


def terminfo_known(term: str, env: Mapping[str, str] | None = None) -> bool:
    """Whether a terminfo entry for ``term`` exists (True when there is no database to ask)."""
    env = os.environ if env is None else env
    dirs = [env.get("TERMINFO") or "", os.path.expanduser("~/.terminfo"),
            *(env.get("TERMINFO_DIRS") or "").split(":"),
            "/etc/terminfo", "/lib/terminfo", "/usr/share/terminfo", "/usr/lib/terminfo"]
    found_db = False
    for d in filter(None, dirs):
        if not os.path.isdir(d):
            continue
        found_db = True
        if any(os.path.exists(os.path.join(d, sub, term)) for sub in (term[:1], "%02x" % ord(term[0]))):
            return True
    return not found_db


class Cropped:
    """The first rows of a frame that does not fit, and a last row saying how much is hidden."""

    def __init__(self, lines: list[Any], hidden: int, width: int) -> None:
        self.lines, self.hidden, self.width = lines, hidden, width

    def __rich_console__(self, console: Any, options: Any) -> Iterator[Any]:
        from rich.segment import Segment
        from rich.text import Text

        for line_ in self.lines:
            yield from line_
            yield Segment.line()
        note = Text(f"\u2026 {self.hidden} more rows, enlarge the pane", style="bold yellow",
                    no_wrap=True, overflow="ellipsis")
        yield from console.render(note, options.update(width=self.width, height=1))


def fit(console: Any, renderable: Any, width: int, height: int) -> Any:
    """``renderable`` as is when it fits ``height`` rows; else cropped with a last row that says so."""
    lines = console.render_lines(renderable, console.options.update(width=width), pad=False)
    if len(lines) <= height or height < 1:
        return renderable
    keep = height - 1
    return Cropped(lines[:keep], len(lines) - keep, width)


def frame(snapshot: Snapshot | None, now: float, *, ttl: float, width: int, mode: str,
          problem: str | None, tz: Any = None, extra: dict[str, Any] | None = None) -> Any:
    """What one redraw shows: the panel and a hint line."""
    from rich.console import Group
    from rich.text import Text

    try:
        box: Any = panel.build(snapshot, now, ttl=ttl, width=width, tz=tz, problem=problem, mode=mode,
                               **(extra or {}))
    except Exception as exc:  # a rendering bug must not take the terminal down with a traceback
        box = Text(f"claude-usage: cannot draw the panel: {type(exc).__name__}: {exc}", style="red")
    return Group(box, Text(FOOTER, style="dim", no_wrap=True, overflow="ellipsis"))


def run(paths: Paths, mode: str, interval: float = 2.0, *, env: Mapping[str, str] | None = None) -> int:
    """Redraw the panel in place until ``q`` or Ctrl+C; re-read the cache every ``interval`` seconds."""
    from rich.console import Console
    from rich.live import Live

    env = os.environ if env is None else env
    interval = max(0.2, float(interval))
    # COLUMNS/LINES would pin rich to one size: the terminal's own size follows resizes.
    environ = {k: v for k, v in env.items() if k not in ("COLUMNS", "LINES")}
    console = Console(highlight=False, _environ=environ)
    if not console.is_terminal or not capable(env.get("TERM"), _fileno(sys.stdout)):
        # A pipe, a file or a dumb terminal: the panel as plain text, again whenever it changes.
        return run_plain(paths, mode, interval, env=env)
    with stop_on_signals() as stop, keyboard(sys.stdin) as keys:
        live = Live(console=console, screen=True, auto_refresh=False, transient=False,
                    redirect_stdout=False, redirect_stderr=False)
        with live:
            loop(live, console, paths, mode, interval, env, stop, keys=keys)
    reap()
    return 0


def _fileno(out: IO[str]) -> int | None:
    try:
        return out.fileno()
    except (OSError, ValueError, AttributeError):
        return None


def run_plain(paths: Paths, mode: str, interval: float, *, env: Mapping[str, str],
              out: IO[str] | None = None, clock: Clock = time.time) -> int:
    """For terminals that cannot redraw: the panel as plain text, printed again when it changes.

    No alternate screen, no cursor movement, no colour: each new frame follows the last one,
    separated by a blank line, so a dumb terminal (or an editor's shell buffer) shows the
    latest panel at the bottom.
    """
    out = sys.stdout if out is None else out
    shown: str | None = None
    next_read = 0.0
    snapshot: Snapshot | None = None
    problem: str | None = None
    with stop_on_signals() as stop, keyboard(sys.stdin) as keys:
        try:
            if _isatty(out):  # a person is watching; a pipe or a file gets the panels alone
                out.write(FOOTER + "\n")
            while not stop.is_set():
                now = clock()
                if now >= next_read:
                    snapshot, problem = load(paths, mode, env, now)
                    problem = problem or refresh(paths, mode, now, env)
                    next_read = now + interval
                    ttl = ttl_for(snapshot, mode, env)
                    try:
                        text = panel.render_text(snapshot, now, ttl=ttl, width=terminal_width(out, env),
                                                 color=False, problem=problem, mode=mode, **look_args(env))
                    except Exception as exc:  # a rendering bug must not end the watch with a traceback
                        text = f"claude-usage: cannot draw the panel: {type(exc).__name__}: {exc}"
                    if text != shown:
                        out.write(("\n" if shown is not None else "") + text + "\n")
                        out.flush()
                        shown = text
                reap()
                wait_for_key(keys, stop, TICK)
        except BrokenPipeError:
            _silence_stdout()
    reap()
    return 0


def loop(live: Any, console: Any, paths: Paths, mode: str, interval: float, env: Mapping[str, str],
         stop: threading.Event, clock: Clock = time.time, keys: int | None = None) -> None:
    """Re-read on the interval, redraw when the data or the terminal's size changed."""
    next_read = 0.0
    shown: tuple[Any, ...] | None = None
    snapshot: Snapshot | None = None
    problem: str | None = None
    extra: dict[str, Any] = {}
    while not stop.is_set():
        now = clock()
        if now >= next_read:
            snapshot, problem = load(paths, mode, env, now)
            problem = problem or refresh(paths, mode, now, env)
            extra = history_args(paths, mode, env, now)
            next_read = now + interval
        size = console.size
        key = (id(snapshot), problem, size.width, size.height)  # a re-read or a resize
        if key != shown:
            ttl = ttl_for(snapshot, mode, env)
            whole = frame(snapshot, now, ttl=ttl, width=size.width, mode=mode, problem=problem, extra=extra)
            live.update(fit(console, whole, size.width, size.height), refresh=True)
            shown = key
        reap()
        wait_for_key(keys, stop, TICK)


__all__ = ["run", "run_plain", "print_once", "snapshot_json", "load", "refresh"]
