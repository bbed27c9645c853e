"""``claude-usage``: the panel, ``--watch``, and the maintenance commands.

    claude-usage                 the full panel once
    claude-usage --watch         redraw in place until q or Ctrl+C
    claude-usage --json          the whole snapshot as JSON
    claude-usage refresh         fetch now, in the foreground; non-zero exit on failure
    claude-usage doctor          where everything is, what went wrong, how to fix it
    claude-usage config          the effective settings (config.toml, environment) and their origin
    claude-usage configure       edit the line's items, rows, look and thresholds live; s saves config.toml
    claude-usage setup TARGET    print (or --install) an integration: tmux, starship, zsh,
                                 bash, fish, claude-code, waybar, xbar, completions
    claude-usage history         the recorded usage samples (--json, --csv, --window, --since)
    claude-usage check EXPR…     exit 0/1/2: do expressions like 5h<90 eta5h>30m hold?
"""

from __future__ import annotations

import argparse
import sys

from statusline.cache.paths import resolve
from statusline.version import VERSION

SETUP_TARGETS = ("claude-code", "tmux", "starship", "zsh", "bash", "fish", "waybar", "xbar", "completions")


USAGE = "claude-usage [options] [COMMAND [ARGS]]"


def _common(parser: argparse.ArgumentParser, top: bool) -> None:
    """The options every command takes, before or after its name (``claude-usage refresh --mode code``).
    Beside a command they default to SUPPRESS, so they never undo what was said before it."""
    default = "auto" if top else argparse.SUPPRESS
    parser.add_argument("--mode", choices=("auto", "code", "console"), default=default,
                        help="force Code mode (OAuth) or Console mode (Admin API key)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="claude-usage", usage=USAGE,
        description="Claude usage and rate limits: the full panel, live or once, and tools around it. "
                    "With no COMMAND it prints the panel once.",
    )
    parser.add_argument("-V", "--version", action="version", version=f"claude-usage {VERSION}")
    _common(parser, top=True)
    parser.add_argument("--watch", action="store_true", help="redraw the panel in place until q or Ctrl+C")
    parser.add_argument("--interval", type=float, default=None, metavar="SECONDS",
                        help="how often --watch re-reads the cache (default 2, at least 0.5)")
    parser.add_argument("--json", action="store_true", help="print the whole snapshot as JSON")
    parser.add_argument("--all", dest="all_accounts", action="store_true",
                        help="every account in the cache (each config dir seen), from the cache only")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands (optional)",
                                prog="claude-usage")

    def command(name: str, help: str, description: str | None = None) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=description or help[0].upper() + help[1:] + ".")
        _common(p, top=False)
        return p

    command("refresh", "fetch now in the foreground and report what happened",
            "Fetch now, in the foreground, and say what happened: exit 0 when the usage was updated, "
            "1 when the fetch failed (the reason is printed). Waits for a background fetch already running.")
    command("doctor", "diagnose credentials, cache, backoff, locks and the configuration",
            "Check credentials, token expiry, the API address, the cache, the last error, backoff, the lock, "
            "config.toml and the CLAUDE_USAGE_* variables; print each problem with its fix. "
            "Exit 0 when all is well, 1 otherwise.")
    command("config", "print the effective settings and where each came from",
            "Print every setting with its value and origin (default, config.toml or the environment), and "
            "the environment variables that choose paths. Exit 1 when something was ignored.")
    command("configure", "edit the line's items, rows, look and thresholds live, with a preview",
            "Edit config.toml's [line] items and rows, style, theme, glyphs, numbers and [thresholds] in the "
            "terminal, with the prompt's, tmux's and Claude Code's line drawn as they change. s saves (comments "
            "and order kept) and shows the diff; q leaves without writing. Needs the configure extra: "
            "pip install 'claude-usage-line[configure]'.")
    setup = command("setup", "print or install an integration",
                    "Print an integration (the default; claude-code previews the change to its settings), "
                    "write it where it belongs with --install, or remove it again with --uninstall.")
    setup.add_argument("target", choices=SETUP_TARGETS)
    setup.add_argument("--print", dest="print_only", action="store_true",
                       help="only print what would be installed")
    setup.add_argument("--install", dest="do_install", action="store_true",
                       help="write it to its standard location, creating the folders")
    setup.add_argument("--uninstall", dest="do_uninstall", action="store_true",
                       help="remove what --install wrote (changed files and settings are backed up first)")
    setup.add_argument("--chain", metavar="CMD", help="claude-code: status command to keep beside ours")
    setup.add_argument("--shell", choices=("bash", "zsh", "fish"),
                       help="completions: for this shell (printing: default $SHELL; --install: default all three)")
    hist = command("history", "the recorded usage samples: table, --json or --csv")
    hist.add_argument("--window", metavar="W", help="5h, 7d, routines, extra or a model name (e.g. opus)")
    hist.add_argument("--since", metavar="WHEN", help="2h, 1d, or an ISO time (naive = local)")
    hist.add_argument("--until", metavar="WHEN", help="like --since")
    hist_fmt = hist.add_mutually_exclusive_group()
    hist_fmt.add_argument("--json", dest="history_fmt", action="store_const", const="json", help="as JSON")
    hist_fmt.add_argument("--csv", dest="history_fmt", action="store_const", const="csv", help="as CSV")
    check = command("check", "exit 0 when every expression holds (e.g. 5h<90 any<95 eta5h>30m)",
                    "Exit 0 when all hold, 1 when one does not, 2 for a bad expression "
                    "or no data fresh enough. Reads the cache only.")
    check.add_argument("exprs", nargs="+", metavar="EXPR", help="5h<90, 7d<=80, any<95, opus<90, eta5h>30m, rate5h<20")
    check.add_argument("--max-age", default="10m", metavar="AGE", help="oldest data accepted (default 10m)")
    check.add_argument("-q", "--quiet", action="store_true", help="print nothing, only the exit status")
    return parser


def _option_strings(parser: argparse.ArgumentParser) -> list[str]:
    found: list[str] = []
    for action in parser._actions:
        found += [o for o in action.option_strings if o.startswith("--")]
        if isinstance(action, argparse._SubParsersAction):
            for p in action.choices.values():
                found += _option_strings(p)
    return sorted(set(found))


def unknown_options(parser: argparse.ArgumentParser, extra: list[str]) -> str:
    """One sentence for the arguments argparse did not know, with a "did you mean" when one is close."""
    import difflib

    known = _option_strings(parser)
    said: list[str] = []
    for word in extra:
        name = word.split("=", 1)[0]
        if name.startswith("-"):
            close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
            said.append(f"unknown option {name}" + (f" (did you mean {close[0]}?)" if close else ""))
        elif not said or not said[-1].startswith("unknown option"):
            said.append(f"unexpected argument {word!r}")
    return "; ".join(said)


def warnings(args: argparse.Namespace) -> list[str]:
    """Options that were given but do nothing where they were given."""
    out: list[str] = []
    if args.interval is not None:
        if not args.watch or args.command:
            out.append("--interval only applies to --watch; ignored")
        elif args.interval < 0.5:
            out.append(f"--interval {args.interval:g} is too short; using 0.5 seconds")
    if args.watch and args.command:
        out.append(f"--watch does nothing for {args.command}; ignored")
    if args.all_accounts and (args.command or args.watch):
        out.append(f"--all does nothing for {args.command or '--watch'}; ignored")
    if args.json and args.command and args.command != "history":
        out.append(f"--json does nothing for {args.command}; ignored")
    elif args.json and args.watch and not args.command:
        out.append("--json prints the snapshot once and --watch draws the panel: --watch is ignored")
    return out


class _ClosedStdout:
    """Stands for a closed stdout (``>&-``, where Python sets ``sys.stdout`` to None): the
    first write fails as a write to a closed descriptor does, and ``main`` says so."""

    def write(self, text: str) -> int:
        import errno

        raise OSError(errno.EBADF, "Bad file descriptor")

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        import io

        raise io.UnsupportedOperation("stdout is closed")


class _Watched:
    """``sys.stdout``, noting whether writing to it failed: a full disk under the cache raises
    the same errnos as a full or closed stdout, and must not be reported as one."""

    def __init__(self, stream: object) -> None:
        self._stream = stream
        self.failed = False

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)  # type: ignore[attr-defined]
        except OSError:
            self.failed = True
            raise

    def flush(self) -> None:
        try:
            self._stream.flush()  # type: ignore[attr-defined]
        except OSError:
            self.failed = True
            raise

    def __getattr__(self, name: str) -> object:
        return getattr(self._stream, name)


def main(argv: list[str] | None = None) -> int:
    """The console script: a closed stdout or a full disk under it is one line on stderr and
    exit status 1, never a traceback; so is a full disk (or EIO) under a file we write."""
    out = _Watched(_ClosedStdout() if sys.stdout is None else sys.stdout)
    sys.stdout = out  # type: ignore[assignment]
    try:
        code = _main(argv)
        sys.stdout.flush()
        return code
    except OSError as exc:
        if exc.errno is None or exc.errno not in (5, 9, 28, 32):  # EIO, EBADF, ENOSPC, EPIPE
            raise
        if out.failed:
            _stdout_gone(exc)
        else:
            _say("claude-usage: cannot write %s: %s\n" % (exc.filename or "a file", exc.strerror or exc))
        return 1
    finally:
        if sys.stdout is out:
            sys.stdout = out._stream


def _say(line: str) -> None:
    if sys.stderr is not None:
        try:
            sys.stderr.write(line)
            sys.stderr.flush()
        except (OSError, ValueError):
            pass


def _stdout_gone(exc: OSError) -> None:
    import os

    try:  # Python flushes stdout again at exit: make that flush land nowhere, quietly
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, 1)
        os.close(fd)
        sys.stdout = open(1, "w", closefd=False)
    except OSError:
        pass
    _say(f"claude-usage: cannot write the output: {exc.strerror or exc}\n")


def _main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    known = set(_option_strings(parser))
    words = argv[:argv.index("--")] if "--" in argv else argv
    wrong = [w for w in words if w.startswith("--") and w.split("=", 1)[0] not in known]
    if wrong:
        parser.error(unknown_options(parser, wrong))
    args, extra = parser.parse_known_args(argv)
    if extra:
        parser.error(unknown_options(parser, extra))
    for text in warnings(args):
        print(f"claude-usage: note: {text}", file=sys.stderr)
    if getattr(args, "history_fmt", None) is None and args.command == "history" and args.json:
        args.history_fmt = "json"
    paths = resolve()
    try:
        if args.command == "refresh":
            return _refresh(paths, args.mode)
        if args.command == "doctor":
            from statusline.commands import doctor

            return doctor.run(paths, args.mode)
        if args.command == "config":
            from statusline.commands import config

            return config.run()
        if args.command == "configure":
            return _configure(args.mode)
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
                             do_install=args.do_install, shell=args.shell, do_uninstall=args.do_uninstall)
        from statusline.commands import watch

        if args.all_accounts:
            return watch.print_all(paths, json_out=args.json)
        if args.watch and not args.json:
            return watch.run(paths, args.mode, max(0.5, 2.0 if args.interval is None else args.interval))
        return watch.print_once(paths, args.mode, json_out=args.json)
    except KeyboardInterrupt:
        return 0


CONFIGURE_EXTRA = "claude-usage configure needs the configure extra: pip install 'claude-usage-line[configure]'"


def _configure(mode: str) -> int:
    """The configurator, when its extra (prompt_toolkit, tomlkit) is installed; else one line
    saying how to install it, and exit 2."""
    try:
        from statusline.commands import configure
    except ImportError as exc:
        if (exc.name or "").split(".")[0] not in ("prompt_toolkit", "tomlkit"):
            raise
        print(CONFIGURE_EXTRA, file=sys.stderr)
        return 2
    return configure.run(mode)


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
                return _report(result.ok, said(result.state, result.message))
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
                return _report(ok, f"{text} (by {who.replace('a background', 'the background')}).")
            # That fetch asked nothing (fresh cache, or a backoff it honoured): fetch ourselves.
    except store.CacheError as exc:
        return _report(False, f"Refresh failed: {exc}")


def said(state: str, message: str) -> str:
    """What a fetch did, as one sentence: no internal state names, nothing twice."""
    text = {"fetched": "Usage updated." if message == "usage updated" else None,
            "fresh": f"Nothing to fetch: {message}."}.get(state)
    if text is None:
        lead = "Refresh failed: " if state == "failed" else ""
        body = message[:1].upper() + message[1:] if not lead else message
        text = lead + body.rstrip(".") + "."
    return text


def _report(ok: bool, text: str) -> int:
    """Print refresh's sentence through the terminal's door: it may quote the API or a path."""
    from statusline.render.dialects import escape

    print(escape(text, "ansi"), file=sys.stdout if ok else sys.stderr)
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
        return True, "Usage updated"
    err = snap.last_error
    if err is not None and err.at >= attempt:
        return False, f"Refresh failed: {err.message.rstrip('.')}"
    return None


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

