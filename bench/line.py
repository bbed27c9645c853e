#!/usr/bin/env python3
"""Time the line and the hook as whole processes against bare ``python -c pass``.

Everything runs from one interpreter (the one whose bin/ holds the console scripts), many
times, interleaved: each round runs every command once, and each command's time is divided by
the bare interpreter's time of the same round (a paired ratio), so machine load hits both
alike. Prints each command's median ratio with its spread (the ratios' interquartile range).

Two cache states, each kept as it is for the whole run (no run starts a fetcher):
- ``warm``: a fresh line view written by the real store code (a day's TTL);
- ``harvest``: only the hook's harvest (what Claude Code's input gave), no view, and a real
  loopback API that accepts every connection and never answers (``HangingApi``): the first
  call starts the fetcher, which hangs there for the whole run, and every later call must
  see it at work and start none. The run reports how many connections reached that API
  (one is right: more means lines started fetchers that found the lock taken).

Commands: the console scripts (``claude-usage-line --format plain``, ``--claude-code`` fed the
recorded 2.1.332 input, its cwd a real git repository on a branch) and what ``claude-usage
setup`` writes (the fast launch, see ``statusline.commands.launcher``): ``--claude-code`` for
Claude Code's statusLine (its default line: the limits, model, context and branch), ``--format
tmux`` for tmux (Starship and the shells run the same launcher); then both Claude Code commands
with every item on (``--show`` of every name: what a config.toml listing them all shows).

    python bench/line.py [--runs 200] [--state warm|harvest|both] [--json]
    python bench/line.py --importtime      # the hot path's imports, microseconds each
    python bench/line.py --peers           # peers found on PATH, same input, same rounds
    python bench/line.py --folders         # what the stage folders cost the line's imports
    python bench/line.py --teardown        # what the interpreter's exit costs, and what run() saves
    python bench/line.py --precompiled     # the fast launch with and without its precompiled file
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HOOK_INPUT = Path(__file__).with_name("statusline-input-2.1.332.json")
TARGETS = {"line": 1.05, "hook": 1.30, "setup: Claude Code": 0.93, "setup: tmux": 1.00,
           "hook, every item": 1.20, "setup: Claude Code, every item": 0.90}
# Every item of the Claude Code line (core/items.SESSION and the limits), as a user turns them all on.
EVERY = ",".join(("five_hour", "seven_day", "model", "effort", "context", "tokens", "cost", "duration", "lines",
                  "git", "repo", "pr", "session", "cache", "vim", "agent", "style", "cwd"))
PEERS = {  # name: argv (fed the same statusLine input on stdin)
    "ccstatusline": ["ccstatusline"],
    "ccusage statusline": ["ccusage", "statusline"],
    "ccline (CCometixLine)": ["ccline"],
    "claude-monitor (start-up only: --version)": ["claude-monitor", "--version"],
}


def timed(argv: list[str], env: dict[str, str], stdin: bytes | None) -> float:
    t = time.perf_counter()
    subprocess.run(argv, env=env, input=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return (time.perf_counter() - t) * 1000


PREPARE = """
import sys, time
from statusline.cache import lineview, paths, store
from statusline.sources import usage_api
from statusline.core.model import Snapshot, utc
p = paths.resolve()
now = time.time()
if sys.argv[1] == "warm":
    iso = lambda t: utc(t).isoformat()
    u = usage_api.usage({"five_hour": {"utilization": 78.0, "resets_at": iso(now + 6000)},
                         "seven_day": {"utilization": 41.0, "resets_at": iso(now + 259200)}}, utc(now))
    s = Snapshot(mode="code", usage=u, usage_fetched_at=utc(now))
    store.save_snapshot(p.account_dir("auto"), s, lineview.build(s, ttl=86400, cred_sig=None))
else:  # harvest: the hook's readings only, a login, and the API hanging (HangingApi)
    import json, os
    creds = p.credentials_file
    creds.write_text(json.dumps({"claudeAiOauth": {"accessToken": "sk-ant-oat01-BENCH", "expiresAt":
                                 int((now + 8 * 3600) * 1000), "scopes": ["user:inference", "user:profile"]}}))
    os.chmod(creds, 0o600)
"""


class HangingApi:
    """A loopback server that accepts every connection and never answers: the usage API hanging.
    ``connections`` counts what reached it."""

    def __init__(self) -> None:
        import socket
        import threading

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.url = "http://127.0.0.1:%d" % self.sock.getsockname()[1]
        self.held: list = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)

    @property
    def connections(self) -> int:
        return len(self.held)

    def close(self) -> None:
        for conn in self.held:
            conn.close()
        self.sock.close()


def fresh_input(repo: str | None = None) -> bytes:
    """The recorded input with its resets moved ahead of now, so the harvest stays live, and its
    folders at ``repo`` (a git repository on a branch, so ``git`` has something to read)."""
    data = json.loads(HOOK_INPUT.read_bytes())
    if repo is not None:
        data["cwd"] = data["workspace"]["current_dir"] = data["workspace"]["project_dir"] = repo
    now = int(time.time())
    for i, window in enumerate((data.get("rate_limits") or {}).values()):
        if isinstance(window, dict) and "resets_at" in window:
            window["resets_at"] = now + 6000 + 250000 * i
    return json.dumps(data).encode()


def setup_env(tmp: str, python: str, state: str, api_url: str = "http://127.0.0.1:9") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLAUDE_", "ANTHROPIC_", "XDG_"))}
    env.update(HOME=tmp, CLAUDE_USAGE_CACHE_DIR=os.path.join(tmp, "cache"), CLAUDE_USAGE_TTL="86400",
               CLAUDE_USAGE_API_URL=api_url, CLAUDE_USAGE_STATUS_URL="http://127.0.0.1:9",  # never the real API
               CLAUDE_USAGE_HTTP_TIMEOUT="60")
    os.makedirs(os.path.join(tmp, ".claude"), exist_ok=True)
    subprocess.run([python, "-c", PREPARE, state], env=env, check=True)
    return env


def rounds(cmds: dict[str, tuple[list[str], bytes | None]], base: list[str], env: dict[str, str],
           runs: int) -> dict[str, list[float]]:
    ratios: dict[str, list[float]] = {name: [] for name in cmds}
    times: dict[str, list[float]] = {name: [] for name in ["python -c pass", *cmds]}
    for i in range(runs + 10):
        b = timed(base, env, None)
        for name, (argv, stdin) in cmds.items():
            t = timed(argv, env, stdin)
            if i >= 10:  # the first rounds warm the page cache
                ratios[name].append(t / b)
                times[name].append(t)
        if i >= 10:
            times["python -c pass"].append(b)
    return {"ratios": ratios, "times": times}  # type: ignore[return-value]


def summary(values: list[float]) -> dict[str, float]:
    q1, med, q3 = statistics.quantiles(values, n=4)
    return {"median": round(statistics.median(values), 3), "q1": round(q1, 3), "q3": round(q3, 3)}


def importtime(python: str, launcher: str, env: dict[str, str], stdin: bytes, runs: int = 25) -> None:
    """Median self and cumulative microseconds per import of the fast launch, line and hook."""
    for label, args, data in (("setup: tmux (--format tmux)", ["--format", "tmux"], None),
                              ("setup: Claude Code (--claude-code)", ["--claude-code"], stdin)):
        table: dict[str, list[tuple[int, int]]] = {}
        order: list[str] = []
        for _ in range(runs):
            err = subprocess.run([python, "-IS", "-X", "importtime", launcher, *args], env=env, input=data,
                                 capture_output=True).stderr.decode()
            for m in re.finditer(r"import time:\s+(\d+) \|\s+(\d+) \| (\s*)(\S+)", err):
                name = m.group(3) + m.group(4)
                if name not in table:
                    table[name] = []
                    order.append(name)
                table[name].append((int(m.group(1)), int(m.group(2))))
        print(f"\n{label}: imports after the interpreter's own (python -IS -X importtime, median of {runs})")
        print("   self us    cumul us  module")
        shown = False
        total = 0.0
        for name in order:
            if name.strip() in ("encodings", "encodings.aliases", "encodings.utf_8", "codecs", "_codecs", "io",
                                "abc", "_abc", "_signal", "_io", "marshal", "posix", "time", "zipimport",
                                "_frozen_importlib_external") and not shown:
                continue  # what every Python start imports, before our first line
            shown = True
            s = statistics.median(v[0] for v in table[name])
            c = statistics.median(v[1] for v in table[name])
            total += s
            print(f"  {s:8.0f}  {c:10.0f}  {name}")
        print(f"  {total:8.0f}              total (importtime's own overhead included)")


IMPORT_TIMER = """import sys, time
t = time.perf_counter()
sys.path.insert(0, sys.argv[1])
__import__(sys.argv[2])
sys.stdout.write("%.1f" % ((time.perf_counter() - t) * 1e6))
"""


def folders(python: str, runs: int) -> None:
    """The line's modules imported from their stage folders, and from one flat copy of the same
    files (imports rewritten), in paired ``python -I -S`` runs: what the folders cost."""
    site = subprocess.run([python, "-c", "import statusline, os; print(os.path.dirname(os.path.dirname("
                           "statusline.__file__)))"], capture_output=True, text=True, check=True).stdout.strip()
    listed = subprocess.run([python, "-I", "-S", "-c", "import sys; sys.path.insert(0, %r); "
                             "import statusline.commands.line; print(' '.join(sorted(m for m in sys.modules "
                             "if m.startswith('statusline.') and m.count('.') == 2)))" % site],
                            capture_output=True, text=True, check=True).stdout.split()
    with tempfile.TemporaryDirectory() as tmp:
        flat = Path(tmp, "flatline")
        flat.mkdir()
        (flat / "__init__.py").write_text("")
        for name in listed:
            text = Path(site, *name.split(".")).with_suffix(".py").read_text()
            text = re.sub(r"from statusline\.\w+\.(\w+) import", r"from flatline.\1 import", text)
            text = re.sub(r"from statusline\.\w+ import", "from flatline import", text)
            (flat / (name.rsplit(".", 1)[1] + ".py")).write_text(text)
        subprocess.run([python, "-m", "compileall", "-q", str(flat)], check=True, capture_output=True)
        timer = Path(tmp, "timer.py")
        timer.write_text(IMPORT_TIMER)
        staged, flattened = [], []
        for i in range(runs + 5):
            a = float(subprocess.run([python, "-I", "-S", str(timer), site, "statusline.commands.line"],
                                     capture_output=True, text=True, check=True).stdout)
            b = float(subprocess.run([python, "-I", "-S", str(timer), tmp, "flatline.line"],
                                     capture_output=True, text=True, check=True).stdout)
            if i >= 5:
                staged.append(a)
                flattened.append(b)
        base = statistics.median(timed([python, "-c", "pass"], dict(os.environ), None) for _ in range(25))
    diff = statistics.median(a - b for a, b in zip(staged, flattened, strict=True))
    print(f"the line's {len(listed)} modules, {runs} paired python -I -S runs (median microseconds):")
    print(f"  from their stage folders  {statistics.median(staged):8.0f}")
    print(f"  from one flat folder      {statistics.median(flattened):8.0f}")
    print(f"  the folders cost          {diff:8.0f}  ({diff / 1000 / base:.3f} of python -c pass, {base:.2f} ms)")


def sampled(cmds: dict[str, tuple[list[str], bytes | None]], env: dict[str, str],
            runs: int) -> dict[str, list[float]]:
    """Each command's times (ms) over ``runs`` interleaved rounds, after 10 that warm the page cache."""
    times: dict[str, list[float]] = {name: [] for name in cmds}
    for i in range(runs + 10):
        for name, (argv, data) in cmds.items():
            t = timed(argv, env, data)
            if i >= 10:
                times[name].append(t)
    return times


def show(times: dict[str, list[float]]) -> None:
    """Median ms and median paired ratio to the first command (the bare start) of each command."""
    base = next(iter(times.values()))
    for name, values in times.items():
        ratio = statistics.median(v / b for v, b in zip(values, base, strict=True))
        print(f"  {name:32s} {statistics.median(values):7.2f} ms  {ratio:6.3f} x")


def teardown(python: str, runs: int) -> None:
    """Paired runs: the bare interpreter and the line, each ending normally and with ``_exit``
    (what ``commands.line.run`` does after the line is out): what the teardown costs."""
    with tempfile.TemporaryDirectory() as tmp:
        env = setup_env(tmp, python, "warm")
        line = "from statusline.commands.line import %s; %s(['--format', 'plain'])"
        # -I: not the current folder on sys.path (a checkout's statusline/ would shadow the install)
        cmds = {"python -c pass": [python, "-I", "-c", "pass"],
                "python, then _exit": [python, "-I", "-c", "import posix; posix._exit(0)"],
                "the line, main()": [python, "-I", "-c", line % ("main", "main")],
                "the line, run()": [python, "-I", "-c", line % ("run", "run")]}
        times = sampled({name: (argv, None) for name, argv in cmds.items()}, env, runs)
    print(f"{runs} paired rounds (median ms; ratio to python -c pass, median of paired ratios):")
    show(times)
    for a, b in (("python -c pass", "python, then _exit"), ("the line, main()", "the line, run()")):
        saved = statistics.median(x - y for x, y in zip(times[a], times[b], strict=True))
        print(f"  teardown skipped ({b}): {saved:.2f} ms")


PRECOMPILED = """import sys
from statusline.commands import launcher
where = launcher.path()
for name, code in (("with", str(launcher.code_path(where))), ("without", "")):
    path = where.with_name("launch-" + name)
    path.write_text(launcher.text(sys.executable, launcher.package_parent(), launcher.console_script(), code))
    path.chmod(0o755)
"""


def precompiled(python: str, runs: int, stdin: bytes) -> None:
    """Paired runs of the fast launch, with its precompiled file and with every module from its
    folder, for tmux and for Claude Code (``commands/precompiled``)."""
    bindir = Path(python).parent
    with tempfile.TemporaryDirectory() as tmp:
        env = setup_env(tmp, python, "warm")
        subprocess.run([str(bindir / "claude-usage"), "setup", "tmux", "--install"], env=env, check=True,
                       capture_output=True)
        subprocess.run([python, "-c", PRECOMPILED], env=env, check=True)
        where = Path(tmp, ".local", "share", "claude-usage", "bin")
        cmds = {"python -c pass": ([python, "-c", "pass"], None)}
        for name in ("with", "without"):
            launch = str(where / ("launch-" + name))
            cmds[f"tmux, {name} the file"] = ([launch, "--format", "tmux"], None)
            cmds[f"Claude Code, {name} the file"] = ([launch, "--claude-code"], stdin)
        times = sampled(cmds, env, runs)
    print(f"the fast launch, {runs} paired rounds (median ms; median of paired ratios to python -c pass):")
    show(times)
    for target in ("tmux", "Claude Code"):
        a, b = times[f"{target}, without the file"], times[f"{target}, with the file"]
        saved = statistics.median(x - y for x, y in zip(a, b, strict=True))
        print(f"  {target}: the precompiled file saves {saved:.2f} ms")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--state", choices=("warm", "harvest", "both"), default="both")
    ap.add_argument("--bin", default=str(Path(sys.executable).parent),
                    help="directory holding python and the console scripts (default: this interpreter's)")
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    ap.add_argument("--importtime", action="store_true", help="show the hot path's imports and their times")
    ap.add_argument("--peers", action="store_true", help="also time the peers found on PATH (never in CI)")
    ap.add_argument("--folders", action="store_true", help="what the stage folders cost the line's imports")
    ap.add_argument("--teardown", action="store_true", help="what the interpreter's exit costs the line")
    ap.add_argument("--precompiled", action="store_true", help="the fast launch with and without its precompiled file")
    args = ap.parse_args()
    bindir = Path(args.bin)
    python, line = str(bindir / "python"), str(bindir / "claude-usage-line")
    if args.folders:
        folders(python, min(args.runs, 100))
        return 0
    if args.teardown:
        teardown(python, min(args.runs, 100))
        return 0
    if args.precompiled:
        precompiled(python, min(args.runs, 100), fresh_input())  # (no repository: git shows nothing)
        return 0
    results: dict[str, dict] = {}
    states = ("warm", "harvest") if args.state == "both" else (args.state,)
    for state in states:
        hanging = HangingApi() if state == "harvest" else None
        with tempfile.TemporaryDirectory() as tmp:
            env = setup_env(tmp, python, state, hanging.url if hanging else "http://127.0.0.1:9")
            repo = os.path.join(tmp, "proj")  # Claude Code's cwd: a real repository, on a branch
            subprocess.run(["git", "init", "-q", "-b", "feature/login", repo], check=True, capture_output=True)
            stdin = fresh_input(repo)
            if state == "harvest":  # the hook's harvest: what one Claude Code event leaves
                subprocess.run([line, "--claude-code"], env=env, input=stdin, capture_output=True, check=True)
            subprocess.run([str(bindir / "claude-usage"), "setup", "claude-code", "--install"], env=env, check=True,
                           capture_output=True)
            settings = json.loads(Path(tmp, ".claude", "settings.json").read_text())
            # PYTHON -IS LAUNCHER.pyc --claude-code || FALLBACK --claude-code; tmux runs LAUNCHER
            command = settings["statusLine"]["command"]
            hook_cmd = command.split(" || ")[0].split()  # absolute paths, no spaces here
            launcher = hook_cmd[2].removesuffix(".pyc")
            if args.importtime:
                importtime(python, launcher, env, stdin)
                return 0
            cmds: dict[str, tuple[list[str], bytes | None]] = {
                "line": ([line, "--format", "plain"], None),
                "hook": ([line, "--claude-code"], stdin),
                "setup: Claude Code": (hook_cmd, stdin),
                "setup: tmux": ([launcher, "--format", "tmux", "--glyphs", "plain"], None),
                "hook, every item": ([line, "--claude-code", "--show", EVERY], stdin),
                "setup: Claude Code, every item": ([*hook_cmd, "--show", EVERY], stdin),
                # As Claude Code runs it, in a shell: what its fallback (`|| FALLBACK`) adds to a
                # plain `sh -c LAUNCH` (the shell is Claude Code's cost either way).
                "sh -c LAUNCH --claude-code": (["/bin/sh", "-c", " ".join(hook_cmd)], stdin),
                "sh -c LAUNCH ... || FALLBACK ...": (["/bin/sh", "-c", command], stdin),
            }
            if args.peers:
                for name, argv in PEERS.items():
                    found = shutil.which(argv[0])
                    if found:
                        cmds["peer: " + name] = ([found, *argv[1:]], stdin)
            outputs = {name: subprocess.run(argv, env=env, input=data, capture_output=True).stdout.decode()
                       .strip().splitlines()[:1] for name, (argv, data) in cmds.items()}
            got = rounds(cmds, [python, "-c", "pass"], env, args.runs)
            results[state] = {name: {**summary(got["ratios"][name]), "target": TARGETS.get(name),
                                     "ms": round(statistics.median(got["times"][name]), 2),
                                     "output": (outputs[name] or [""])[0]} for name in cmds}
            results[state]["python -c pass"] = {"ms": round(statistics.median(got["times"]["python -c pass"]), 2)}
            if hanging is not None:
                results[state]["api connections"] = {"count": hanging.connections}
                hanging.close()  # the fetcher's call fails now: wait until it has let go of the cache
                deadline = time.monotonic() + 60
                while any(Path(tmp).rglob("fetch.owner")) and time.monotonic() < deadline:
                    time.sleep(0.1)
                time.sleep(0.5)
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    if args.json:
        print(json.dumps({"runs": args.runs, "load": load, "results": results}))
        return 0
    for state, rows in results.items():
        print(f"\ncache: {state}   (python -c pass: median {rows['python -c pass']['ms']:.2f} ms; "
              f"{args.runs} paired rounds; load average {load[0]:.2f})" if load else "")
        for name, r in rows.items():
            if name == "api connections":
                print(f"  connections that reached the hanging API during the run: {r['count']} (one fetcher: 1)")
                continue
            if name == "python -c pass":
                continue
            target = f"  target <= {r['target']:.2f}" if r.get("target") else ""
            verdict = "" if not r.get("target") else ("  ok" if r["median"] <= r["target"] else "  OVER")
            print(f"  {name:44s} {r['median']:6.3f} x  (IQR {r['q1']:.3f}-{r['q3']:.3f}, {r['ms']:6.2f} ms)"
                  f"{target}{verdict}")
        print("  outputs: " + "; ".join(f"{n}: {r['output']!r}" for n, r in rows.items() if "output" in r))
    return 0


if __name__ == "__main__":
    sys.exit(main())
