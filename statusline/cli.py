"""``claude-usage``: the panel, ``--watch``, and the maintenance commands.

    claude-usage                 the full panel once
    claude-usage --watch         redraw in place until Ctrl+C
    claude-usage --json          the whole snapshot as JSON
    claude-usage refresh         fetch now, in the foreground; non-zero exit on failure
    claude-usage doctor          where everything is, what went wrong, how to fix it
    claude-usage setup TARGET    print (or --install) an integration: tmux, starship, zsh,
                                 bash, fish, claude-code, waybar, completions
"""

from __future__ import annotations

import argparse
import sys

from .paths import resolve
from .version import VERSION

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
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    paths = resolve()
    try:
        if args.command == "refresh":
            return _refresh(paths, args.mode)
        if args.command == "doctor":
            from . import doctor

            return doctor.run(paths, args.mode)
        if args.command == "setup":
            from . import setup

            return setup.run(paths, args.target, print_only=args.print_only, chain=args.chain,
                             do_install=args.do_install, shell=args.shell)
        from . import watch

        if args.watch:
            return watch.run(paths, args.mode, max(0.5, args.interval))
        return watch.print_once(paths, args.mode, json_out=args.json)
    except KeyboardInterrupt:
        return 0


def _refresh(paths, mode: str) -> int:
    from . import fetcher, store

    try:
        result = fetcher.run(paths, mode, force=True)
    except store.CacheError as exc:
        print(f"refresh failed: {exc}", file=sys.stderr)
        return 1
    if result.state == "busy":
        print(f"refresh skipped: {result.message}", file=sys.stderr)
        return 1
    stream = sys.stdout if result.ok else sys.stderr
    print(f"{result.state}: {result.message}", file=stream)
    return 0 if result.ok else 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

