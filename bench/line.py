#!/usr/bin/env python3
"""Time a warm ``claude-usage-line`` as a whole process against ``python -c pass``.

Both run from the same interpreter (the one whose bin/ holds the console script), many
times, interleaved so machine noise hits both alike. Prints medians and their ratio; the
target is a ratio of at most 1.3. The cache is warmed first and kept fresh, so the run
measures the hot path (read cache, render, exit), not the fetcher.

    python bench/line.py [--runs 200] [--format ansi] [--bin DIR]
    python bench/line.py --hook [INPUT.json]     # the Claude Code hook, fed a recorded input
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed(argv: list[str], env: dict[str, str], stdin: bytes | None = None) -> float:
    t = time.perf_counter()
    subprocess.run(argv, env=env, input=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return (time.perf_counter() - t) * 1000


def warm_cache(env: dict[str, str], python: str) -> None:
    """A fresh cache with realistic content, written by the real store code."""
    code = """
import time
from statusline.cache import lineview, paths, store
from statusline.sources import usage_api
from statusline.core.model import Snapshot, utc
p = paths.resolve()
now = time.time()
iso = lambda t: utc(t).isoformat()
u = usage_api.usage({"five_hour": {"utilization": 78.0, "resets_at": iso(now + 6000)},
                     "seven_day": {"utilization": 41.0, "resets_at": iso(now + 259200)}}, utc(now))
s = Snapshot(mode="code", usage=u, usage_fetched_at=utc(now))
store.save_snapshot(p.account_dir("auto"), s, lineview.build(s, ttl=86400, cred_sig=None))
"""
    subprocess.run([python, "-c", code], env=env, check=True)


HOOK_INPUT = "statusline-input-2.1.332.json"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--format", default="ansi")
    ap.add_argument("--bin", default=str(Path(sys.executable).parent),
                    help="directory holding python and claude-usage-line (default: this interpreter's)")
    ap.add_argument("--json", action="store_true", help="print the result as JSON")
    ap.add_argument("--hook", metavar="INPUT.json", nargs="?", const=str(Path(__file__).with_name(HOOK_INPUT)),
                    help="time the Claude Code hook (--claude-code) fed this statusLine input "
                         f"(default: the recorded {HOOK_INPUT})")
    args = ap.parse_args()
    bindir = Path(args.bin)
    python, line = str(bindir / "python"), str(bindir / "claude-usage-line")
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CLAUDE_", "ANTHROPIC_"))}
        # The cache stays fresh for the whole run (a day's TTL), so no run starts the fetcher.
        env.update(HOME=tmp, CLAUDE_USAGE_CACHE_DIR=os.path.join(tmp, "cache"), CLAUDE_USAGE_TTL="86400")
        os.makedirs(os.path.join(tmp, ".claude"))
        warm_cache(env, python)
        base_cmd, line_cmd = [python, "-c", "pass"], [line, "--format", args.format]
        stdin = None
        if args.hook:  # the hook harvests and renders on every Claude Code event
            line_cmd, stdin = [line, "--claude-code"], Path(args.hook).read_bytes()
        out = subprocess.run(line_cmd, env=env, input=stdin, capture_output=True).stdout.decode().strip()
        for _ in range(10):
            timed(base_cmd, env), timed(line_cmd, env, stdin)
        base, ours = [], []
        for _ in range(args.runs):
            base.append(timed(base_cmd, env))
            ours.append(timed(line_cmd, env, stdin))
    mb, ml = statistics.median(base), statistics.median(ours)
    what = "hook" if args.hook else "line"
    target = 1.6 if args.hook else 1.3
    result = {"runs": args.runs, "what": what, "python_c_pass_ms": round(mb, 2), "claude_usage_line_ms": round(ml, 2),
              "ratio": round(ml / mb, 3), "target": target, "line": out}
    if args.json:
        print(json.dumps(result))
    else:
        print(f"line output          : {out!r}")
        print(f"python -c pass       : median {mb:.2f} ms over {args.runs} runs")
        print(f"claude-usage-line    : median {ml:.2f} ms over {args.runs} runs ({what})")
        print(f"ratio                : {ml / mb:.3f}  (target <= {target})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
