"""claude-usage-line: print one line from the cache and exit 0, never waiting on the network.

This is the hot path. It runs on every prompt and tmux redraw, so it imports only what
Python has already loaded (os, sys, time, marshal) plus three small modules of ours, parses
argv by hand, reads two small marshal files (the view and any harvest from Claude Code), and
when the data is older than its TTL starts the fetcher detached with ``os.posix_spawn``
(debounced by a stamp file, so a burst of prompts starts one fetcher). Anything heavier
(json for ``--format json``, the Claude Code hook) is imported only by the option that needs it.
"""

import marshal
import os
import sys
import time

from statusline import dialects, fastpaths, segments
from statusline.spawn import spawn_fetcher
from statusline.version import VERSION

HELP = """usage: claude-usage-line [options]

Print Claude usage and rate limits as one line, from the local cache. Never waits
on the network: a stale cache starts a background refresh and is shown as it is.

options:
  --format FMT     ansi (default), tmux, zsh, bash, plain, json, waybar
  --mode MODE      auto (default), code, console
  --glyphs SET     emoji (default; plain for tmux), plain, ascii
  --claude-code    read Claude Code's statusLine JSON on stdin (see README)
  --chain CMD      with --claude-code: also run CMD with the same input
  --show ITEMS     with --claude-code: extra items, comma-separated: model,context,cost
  --no-refresh     never start the background fetcher
  -h, --help       show this help
  --version        show the version

environment: NO_COLOR, CLAUDE_CONFIG_DIR, CLAUDE_USAGE_CACHE_DIR, CLAUDE_USAGE_TTL,
CLAUDE_USAGE_CONSOLE_TTL, ANTHROPIC_ADMIN_API_KEY. Details: claude-usage doctor"""

DEFAULT_TTL = {"code": 30.0, "console": 300.0}
TTL_ENV = {"code": "CLAUDE_USAGE_TTL", "console": "CLAUDE_USAGE_CONSOLE_TTL"}
NO_CREDS_RETRY = 300.0


def parse_args(argv):
    """A tiny argument loop: argparse would cost more than the rest of the line."""
    opts = {"format": "ansi", "mode": "auto", "glyphs": None, "claude_code": False,
            "chain": None, "show": "", "refresh": True, "help": False, "version": False}
    takes = {"--format": "format", "--mode": "mode", "--glyphs": "glyphs", "--chain": "chain", "--show": "show"}
    args = list(argv)
    while args:
        a = args.pop(0)
        name, eq, val = a.partition("=")
        if name in takes:
            if not eq:
                if not args:
                    break
                val = args.pop(0)
            opts[takes[name]] = val
        elif a in ("-h", "--help"):
            opts["help"] = True
        elif a in ("-V", "--version"):
            opts["version"] = True
        elif a == "--claude-code":
            opts["claude_code"] = True
        elif a == "--no-refresh":
            opts["refresh"] = False
    if opts["mode"] not in ("auto", "code", "console"):
        opts["mode"] = "auto"
    return opts


def read_view(path):
    try:
        with open(path, "rb") as fh:
            view = marshal.load(fh)
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if not isinstance(view, dict) or view.get("v") != 1:
        return None
    return view


SAME_WINDOW_S = 120.0  # resets within this of each other are the same window
RATE_WINDOWS = ("five_hour", "seven_day")  # the windows Claude Code's input also carries


def merge_reading(old, new):
    """Combine two readings of one window, each ``(key, name, utilization, resets)``.

    The same window (same reset) never goes down: an idle session replaying old numbers
    must not undo a busier one's. A later reset is a new window and replaces the old; a
    reading of an earlier, finished window is ignored.
    """
    if old is None:
        return new
    o_reset, n_reset = old[3], new[3]
    if o_reset is None or n_reset is None:
        return new if n_reset is not None or o_reset is None else old
    if abs(n_reset - o_reset) <= SAME_WINDOW_S:
        return new if new[2] >= old[2] else (new[0], new[1], old[2], n_reset)
    return new if n_reset > o_reset else old


def merge_windows(old, new):
    """The 5-hour and 7-day readings of ``old`` with those of ``new`` folded in, window by window.

    The one merge rule for every place readings meet: the harvest file, the line, the fetcher.
    """
    got = {w[0]: w for w in old or () if w[0] in RATE_WINDOWS}
    for w in new:
        if w[0] in RATE_WINDOWS:
            got[w[0]] = merge_reading(got.get(w[0]), w)
    return [got[k] for k in RATE_WINDOWS if k in got]


def merge_harvest(view, harvest):
    """Overlay windows harvested from Claude Code when they are newer than the fetch."""
    if not harvest or not isinstance(harvest.get("windows"), list):
        return view
    h_at = harvest.get("fetched") or 0
    if view is None:
        view = {"v": 1, "mode": "code", "fetched": None, "ttl": DEFAULT_TTL["code"], "status": "ok",
                "error": None, "backoff_until": None, "wait_sig": None, "cred_sig": None,
                "windows": [], "console": None, "pace": None, "source": "claude-code", "at": None}
    if view.get("mode") == "console" or h_at <= (view.get("fetched") or 0):
        return view
    windows = view.get("windows") or ()
    merged = dict(view)
    merged["windows"] = (merge_windows(windows, harvest["windows"])
                         + [w for w in windows if w[0] not in RATE_WINDOWS])
    merged["fetched"] = h_at
    merged["source"] = "claude-code"
    if merged.get("status") in ("rate_limited", "network_error", "server_error", "bad_response"):
        merged["status"] = "ok"  # fresher numbers arrived another way
    return merged


def ttl_for(view, env):
    mode = (view or {}).get("mode") or "code"
    raw = env.get(TTL_ENV.get(mode, "CLAUDE_USAGE_TTL"))
    if raw:
        try:
            return max(5.0, float(raw))
        except ValueError:
            pass
    return (view or {}).get("ttl") or DEFAULT_TTL.get(mode, 30.0)


def needs_fetch(view, now, cred_sig, env):
    """Whether the cache should be refreshed now (the fetcher re-checks under its lock)."""
    if view is None:
        return True
    if view.get("wait_sig") is not None:
        return cred_sig != view["wait_sig"]  # an auth failure waits for new credentials
    until = view.get("backoff_until")
    if until and now < until:
        return False
    if view.get("status") == "no_credentials":
        return (cred_sig != view.get("cred_sig") or bool(env.get("ANTHROPIC_ADMIN_API_KEY"))
                or now - (view.get("at") or 0) > NO_CREDS_RETRY)
    if cred_sig is not None and view.get("cred_sig") not in (None, cred_sig):
        return True  # Claude Code rewrote its credentials: maybe another account
    fetched = view.get("fetched")
    ttl = ttl_for(view, env)
    if fetched is None or not (-ttl < now - fetched < ttl):
        return True
    # Harvested numbers keep the data fresh without the fetcher; it still runs once per TTL
    # for what only it reads (Pace Maker, the hourly profile), without calling the usage API.
    return view.get("source") == "claude-code" and now - (view.get("at") or 0) >= ttl


def has_credentials(env, cred_sig):
    """Anything to log in with: the credentials file (its signature exists), a key, the Keychain."""
    return cred_sig is not None or bool(env.get("ANTHROPIC_ADMIN_API_KEY")) or sys.platform == "darwin"


def render(opts, env, now):
    """The whole line as a string (no trailing newline)."""
    if opts["help"]:
        return HELP
    if opts["version"]:
        return "claude-usage-line " + VERSION
    if opts["claude_code"]:
        from statusline import hook

        return hook.run(opts, env, now)
    return render_cached(opts, env, now)


def current_view(acct):
    """The account's line view with any fresher harvested rate limits laid over it."""
    return merge_harvest(read_view(os.path.join(acct, "line.bin")),
                         read_view(os.path.join(acct, "harvest.bin")))


def refresh(acct, mode, view, cred_sig, env, now, debounce=None):
    """Start the fetcher when the view is due (see ``needs_fetch``); a problem text or None."""
    if not needs_fetch(view, now, cred_sig, env):
        return None
    if debounce is None:
        debounce = min(10.0, ttl_for(view, env) / 2)
    return spawn_fetcher(acct, mode, now, debounce)


def load(opts, env, now):
    """(view, credentials signature, problem) for the current account; may start the fetcher."""
    cfg = fastpaths.config_dir(env)
    acct = fastpaths.account_dir(fastpaths.cache_root(env), cfg, opts["mode"])
    cred_sig = fastpaths.cred_sig(os.path.join(cfg, ".credentials.json"))
    view = current_view(acct)
    note = refresh(acct, opts["mode"], view, cred_sig, env, now) if opts["refresh"] else None
    return view, cred_sig, note


def render_cached(opts, env, now):
    view, cred_sig, note = load(opts, env, now)
    fmt = opts["format"]
    creds = has_credentials(env, cred_sig)
    if fmt in ("json", "waybar"):
        from statusline import lineformats

        return lineformats.render(fmt, view, now, creds, note)
    glyphs = opts["glyphs"] or ("plain" if fmt == "tmux" else "emoji")
    spans = segments.build(view, now, glyphs, creds, note)
    color = not env.get("NO_COLOR")
    return dialects.render(spans, fmt, color)


def main(argv=None):
    """Console-script entry. Always prints a line and returns 0: no traceback reaches a prompt."""
    try:
        opts = parse_args(sys.argv[1:] if argv is None else argv)
        out = render(opts, os.environ, time.time())
    except BaseException as exc:  # noqa: BLE001 - the prompt must survive anything
        if isinstance(exc, SystemExit):
            raise
        out = "claude: ?"
    try:
        sys.stdout.write(out + "\n")
        sys.stdout.flush()
    except (OSError, ValueError, AttributeError):  # closed or missing stdout
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
