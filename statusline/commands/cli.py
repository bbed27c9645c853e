"""``claude-usage``: the panel, ``--watch``, and the maintenance commands.

    claude-usage                 the full panel once
    claude-usage --watch         redraw in place until Ctrl+C
    claude-usage --json          the whole snapshot as JSON
    claude-usage refresh         fetch now, in the foreground; non-zero exit on failure
    claude-usage doctor          where everything is, what went wrong, how to fix it
    claude-usage config          the effective settings (config.toml, environment) and their origin
    claude-usage setup TARGET    print (or --install) an integration: tmux, starship, zsh,
                                 bash, fish, claude-code, waybar, completions
    claude-usage history         the recorded usage samples (--json, --csv, --window, --since)
    claude-usage check EXPR…     exit 0/1/2: do expressions like 5h<90 eta5h>30m hold?
"""

from __future__ import annotations

import argparse
import sys

from statusline.cache.paths import resolve
from statusline.version import VERSION

SETUP_TARGETS = ("claude-code", "tmux", "starship", "zsh", "bash", "fish", "waybar", "completions")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="claude-usage",
        description="Claude usage and rate limits: the full panel, live or once, and tools around it.",
    )
    parser.add_argument("--version", action="version", version=f"claude-usage {VERSION}")
    parser.add_argument("--mode", choices=("auto", "code", "console"), default="auto",
                        help="force Code mode (OAuth) or Console mode (Admin API key)")
    parser.add_argument("--watch", action="store_true", help="redraw the panel in place until Ctrl+C")
    parser.add_argument("--interval", type=float, default=2.0, metavar="SECONDS",
                        help="how often --watch re-reads the cache (default 2)")
    parser.add_argument("--json", action="store_true", help="print the whole snapshot as JSON")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("refresh", help="fetch now in the foreground and report what happened")
    sub.add_parser("doctor", help="diagnose credentials, cache, backoff and locks")
    sub.add_parser("config", help="print the effective settings and where each came from")
    setup = sub.add_parser("setup", help="print or install an integration",
                           description="Print an integration (the default), or write it where it belongs"
                                       " with --install. claude-code edits Claude Code's settings unless --print.")
    setup.add_argument("target", choices=SETUP_TARGETS)
    setup.add_argument("--print", dest="print_only", action="store_true",
                       help="only print what would be installed")
    setup.add_argument("--install", dest="do_install", action="store_true",
                       help="write it to its standard location, creating the folders")
    setup.add_argument("--chain", metavar="CMD", help="claude-code: status command to keep beside ours")
    setup.add_argument("--shell", choices=("bash", "zsh", "fish"),
                       help="completions: for this shell (printing: default $SHELL; --install: default all three)")
    hist = sub.add_parser("history", help="the recorded usage samples: table, --json or --csv")
    hist.add_argument("--window", metavar="W", help="5h, 7d, routines, extra or a model name (e.g. opus)")
    hist.add_argument("--since", metavar="WHEN", help="2h, 1d, or an ISO time (naive = local)")
    hist.add_argument("--until", metavar="WHEN", help="like --since")
    hist_fmt = hist.add_mutually_exclusive_group()
    hist_fmt.add_argument("--json", dest="history_fmt", action="store_const", const="json", help="as JSON")
    hist_fmt.add_argument("--csv", dest="history_fmt", action="store_const", const="csv", help="as CSV")
    check = sub.add_parser("check", help="exit 0 when every expression holds (e.g. 5h<90 any<95 eta5h>30m)",
                           description="Exit 0 when all hold, 1 when one does not, 2 for a bad expression "
                                       "or no data fresh enough. Reads the cache only.")
    check.add_argument("exprs", nargs="+", metavar="EXPR", help="5h<90, 7d<=80, any<95, opus<90, eta5h>30m, rate5h<20")
    check.add_argument("--max-age", default="10m", metavar="AGE", help="oldest data accepted (default 10m)")
    check.add_argument("-q", "--quiet", action="store_true", help="print nothing, only the exit status")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    paths = resolve()
    try:
        if args.command == "refresh":
            return _refresh(paths, args.mode)
        if args.command == "doctor":
            from statusline.commands import doctor

            return doctor.run(paths, args.mode)
        if args.command == "config":
            from statusline.cache import config

            return config.run()
        if args.command == "history":
            from statusline.cache import cache_view
            from statusline.commands import history as history_cmd

            where = cache_view.history_dir(str(paths.account_dir(args.mode)))
            return history_cmd.command(where, window=args.window, since=args.since,
                                       until=args.until, fmt=args.history_fmt or "table")
        if args.command == "check":
            from statusline.commands import check

            return check.run(paths, args.mode, args.exprs, max_age=args.max_age, quiet=args.quiet)
        if args.command == "setup":
            from statusline.commands import setup

            return setup.run(paths, args.target, print_only=args.print_only, chain=args.chain,
                             do_install=args.do_install, shell=args.shell)
        from statusline.commands import watch

        if args.watch:
            return watch.run(paths, args.mode, max(0.5, args.interval))
        return watch.print_once(paths, args.mode, json_out=args.json)
    except KeyboardInterrupt:
        return 0


REFRESH_WAIT = 30.0  # how long `refresh` waits for a background fetch already at work


def _refresh(paths, mode: str) -> int:
    """Fetch now; when a background fetch holds the lock, wait for it and report its result."""
    import os
    import time

    from statusline.cache import store
    from statusline.fetch import fetcher

    try:
        wait = float(os.environ.get("CLAUDE_USAGE_REFRESH_WAIT") or REFRESH_WAIT)
    except ValueError:
        wait = REFRESH_WAIT
    deadline = time.monotonic() + max(0.0, wait)
    waited_for: object = None
    try:
        while True:
            result = fetcher.run(paths, mode, force=True)
            if result.state != "busy":
                return _report(result.ok, f"{result.state}: {result.message}")
            acct = paths.account_dir(mode)
            owner = store.read_owner(acct) or {}
            pid = owner.get("pid", "?")
            before, _ = store.load_snapshot(acct)
            who = f"a background fetch (pid {pid})" if pid != "?" else "a background fetch"
            if waited_for != pid:
                print(f"refresh: {who} is running; waiting for it (up to {wait:g} s)...",
                      file=sys.stderr, flush=True)
                waited_for = pid
            if not _wait_for_lock(acct, deadline - time.monotonic()):
                print(f"refresh failed: {who} is still running after {wait:g} s; try again later",
                      file=sys.stderr)
                return 1
            outcome = _outcome_of_other_fetch(acct, before, owner.get("since"))
            if outcome is not None:
                ok, text = outcome
                return _report(ok, f"{text} (by {who.replace('a background', 'the background')})")
            # That fetch asked nothing (fresh cache, or a backoff it honoured): fetch ourselves.
    except store.CacheError as exc:
        print(f"refresh failed: {exc}", file=sys.stderr)
        return 1


def _report(ok: bool, text: str) -> int:
    print(text, file=sys.stdout if ok else sys.stderr)
    return 0 if ok else 1


def _wait_for_lock(acct, timeout: float) -> bool:
    """Wait until no fetcher holds the lock (taking and at once releasing it); False on timeout."""
    from filelock import FileLock, Timeout

    from statusline.cache import store

    lock = FileLock(str(acct / store.LOCK), timeout=max(0.0, timeout), mode=0o600)
    try:
        lock.acquire(poll_interval=0.05)
    except Timeout:
        return False
    lock.release()
    return True


def _outcome_of_other_fetch(acct, before, since) -> tuple[bool, str] | None:
    """(ok, text) of the fetch we waited for, from what it left in the cache; None if it did nothing."""
    from statusline.cache import store
    from statusline.core.model import utc

    snap, _ = store.load_snapshot(acct)
    if snap is None or snap.last_attempt_at is None:
        return None
    attempt = snap.last_attempt_at
    previous = before.last_attempt_at if before is not None else None
    started = utc(since) if isinstance(since, (int, float)) and not isinstance(since, bool) else None
    if not ((previous is None or attempt > previous) or (started is not None and attempt >= started)):
        return None
    fetched = snap.data_fetched_at()
    if fetched is not None and fetched >= attempt:
        return True, "fetched: usage updated"
    err = snap.last_error
    if err is not None and err.at >= attempt:
        return False, f"failed: {err.kind}: {err.message}"
    return None


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

