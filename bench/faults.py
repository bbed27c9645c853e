#!/usr/bin/env python3
"""Reproduce the reliability figures of docs/security.md against the loopback API (tests/apiserver.py).

Each figure runs the installed commands (the venv's ``claude-usage-line``, the fetcher with
this interpreter) in a private HOME and cache:

- ``subst``  ``x=$(claude-usage-line 3>&1)`` on a cold cache while the API takes 8 s to answer
- ``drip``   a foreground refresh against a server sending one byte every 1.5 s
             (``CLAUDE_USAGE_HTTP_TIMEOUT=2``)
- ``bomb``   the fetcher's peak memory (VmHWM) on a 256 MiB gzip bomb
- ``lines``  200 lines at once on a cold cache: how many usage requests, how many bad outputs
- ``hook``   200 Claude Code hook calls at once, readings 1..200 of one window: which one is kept

    python bench/faults.py [--only subst,drip,bomb,lines,hook] [--n 200]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from apiserver import ApiServer, Reply, gzip_bomb, usage_body  # noqa: E402

PY = sys.executable
LINE = str(Path(PY).parent / "claude-usage-line")
USAGE = "/api/oauth/usage"


def environment(tmp: str, url: str, **extra: str) -> dict[str, str]:
    home = Path(tmp) / "home"
    (home / ".claude").mkdir(parents=True)
    creds = {"claudeAiOauth": {"accessToken": "sk-ant-oat01-BENCH", "expiresAt": int((time.time() + 8 * 3600) * 1000),
                               "scopes": ["user:inference", "user:profile"]}}
    (home / ".claude" / ".credentials.json").write_text(json.dumps(creds))
    (home / ".claude" / ".credentials.json").chmod(0o600)
    return dict(os.environ, HOME=str(home), CLAUDE_USAGE_CACHE_DIR=str(Path(tmp) / "cache"),
                CLAUDE_USAGE_API_URL=url, CLAUDE_USAGE_STATUS_URL="http://127.0.0.1:9", **extra)


def fetcher(*extra: str) -> list[str]:
    return [PY, "-c", "import sys; from statusline.fetch.fetcher import main; sys.exit(main(sys.argv[1:]))", *extra]


def subst(server: ApiServer, n: int) -> str:
    server.set(USAGE, Reply(200, usage_body(), delay=8))
    with tempfile.TemporaryDirectory() as tmp:
        t = time.monotonic()
        subprocess.run(["/bin/sh", "-c", f'x=$("{LINE}" 3>&1); echo "$x"'], env=environment(tmp, server.url),
                       capture_output=True, timeout=60)
        return f"$(claude-usage-line 3>&1), API answering in 8 s: returned in {time.monotonic() - t:.2f} s"


def drip(server: ApiServer, n: int) -> str:
    server.set(USAGE, Reply(200, usage_body(), drip=1.5))
    with tempfile.TemporaryDirectory() as tmp:
        t = time.monotonic()
        try:
            subprocess.run(fetcher("--force"), env=environment(tmp, server.url, CLAUDE_USAGE_HTTP_TIMEOUT="2"),
                           capture_output=True, timeout=120)
        except subprocess.TimeoutExpired:
            return "refresh against a server dripping 1 byte / 1.5 s (timeout 2 s): still busy after 120 s"
        return f"refresh against a server dripping 1 byte / 1.5 s (timeout 2 s): done in {time.monotonic() - t:.1f} s"


def bomb(server: ApiServer, n: int) -> str:
    body = gzip_bomb(256 << 20)
    server.set(USAGE, Reply(200, body, gzip=True))
    probe = ("from statusline.fetch.fetcher import main; main(['--force']);"
             "print([x for x in open('/proc/self/status') if x.startswith('VmHWM')][0].split()[1])")
    with tempfile.TemporaryDirectory() as tmp:
        r = subprocess.run([PY, "-c", probe], env=environment(tmp, server.url), capture_output=True, text=True,
                           timeout=120)
    peak = int(r.stdout.split()[-1]) >> 10
    return f"fetcher on a 256 MiB gzip bomb ({len(body) >> 10} KiB on the wire): peak {peak} MiB"


def lines(server: ApiServer, n: int) -> str:
    server.set(USAGE, Reply(200, usage_body(), delay=0.5))
    with tempfile.TemporaryDirectory() as tmp:
        env = environment(tmp, server.url)
        procs = [subprocess.Popen([LINE, "--format", "plain"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
                 for _ in range(n)]
        outs = [p.communicate(timeout=120) for p in procs]
        time.sleep(3)
    bad = sum(1 for out, err in outs if not out.strip() or err)
    return f"{n} lines at once on a cold cache: {server.count(USAGE)} usage request(s), {bad} bad outputs"


def hook(server: ApiServer, n: int) -> str:
    from statusline.cache import fastpaths, safefiles

    with tempfile.TemporaryDirectory() as tmp:
        env = environment(tmp, server.url)
        resets = int(time.time()) + 3000
        procs = []
        for i in range(1, n + 1):
            src = Path(tmp) / f"in-{i}.json"
            src.write_text(json.dumps({"rate_limits": {"five_hour": {"used_percentage": i, "resets_at": resets}}}))
            with open(src) as stdin:
                procs.append(subprocess.Popen([LINE, "--claude-code", "--no-refresh"], stdin=stdin,
                                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env))
        for p in procs:
            p.wait(timeout=120)
        acct = fastpaths.account_dir(env["CLAUDE_USAGE_CACHE_DIR"], fastpaths.config_dir(env), "auto")
        doc = safefiles.load_marshal(os.path.join(acct, "harvest.bin")) or {}
        kept = [w[2] for w in doc.get("windows", ()) if w[0] == "five_hour"]
        temps = [x for x in os.listdir(acct) if x.endswith(".tmp") or x.startswith(".harvest.")]
    return f"{n} hook calls at once (readings 1..{n}): kept {kept}, {len(temps)} temp files left"


FIGURES = {"subst": subst, "drip": drip, "bomb": bomb, "lines": lines, "hook": hook}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", default=",".join(FIGURES), help="comma-separated: " + ", ".join(FIGURES))
    parser.add_argument("--n", type=int, default=200, help="processes for lines and hook (default 200)")
    args = parser.parse_args()
    for name in args.only.split(","):
        server = ApiServer()
        server.set("/api/oauth/profile", Reply(200, {}))
        try:
            print(FIGURES[name.strip()](server, args.n), flush=True)
        finally:
            server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
