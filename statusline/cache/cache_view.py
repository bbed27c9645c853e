"""What the hot path knows of the cache: the line view with harvested readings laid over it, and
whether (and how) to start the fetcher. Hot path: imports only what Python has loaded.

The line, the Claude Code hook and ``--watch`` all read the cache through here, so the hook
no longer imports the line (and the line imports the hook only for ``--claude-code``).
"""

import sys

from statusline.cache import fastpaths, oslite, safefiles
from statusline.core import readings
from statusline.core.items import STYLES, THEMES  # noqa: F401 - the look names, kept with the items

DEFAULT_TTL = {"code": 30.0, "console": 300.0}
TTL_ENV = {"code": "CLAUDE_USAGE_TTL", "console": "CLAUDE_USAGE_CONSOLE_TTL"}
NO_CREDS_RETRY = 300.0
VIEW_VERSION = 2  # lineview.VERSION
HARVEST_VERSION = 2
TRANSIENT = ("rate_limited", "network_error", "server_error", "bad_response")


def read_marshal(path, version):
    """A marshal'd dict of the given version, or None (missing, corrupt, another version)."""
    try:
        data = safefiles.loads_marshal(safefiles.read_own(path, 1 << 20))  # ours, regular, bounded
    except (OSError, EOFError, ValueError, TypeError, MemoryError, RecursionError):
        return None
    if not isinstance(data, dict) or data.get("v") != version:
        return None
    return data


def read_view(path):
    return read_marshal(path, VIEW_VERSION)


def read_harvest(path):
    return read_marshal(path, HARVEST_VERSION)


def _num(x):
    return x if isinstance(x, (int, float)) and not isinstance(x, bool) and x == x else None


def merge_harvest(view, harvest, now=None):
    """Lay readings harvested from Claude Code over the view: one merge rule (``readings``).
    The view's freshness is when its newest reading was observed, not when the hook last ran:
    an idle session replaying old numbers does not make the data fresh."""
    if not harvest:
        return view
    h_at = _num(harvest.get("fetched"))
    h_windows = harvest.get("windows") if isinstance(harvest.get("windows"), list) else []
    if h_at is None or not (h_windows or harvest.get("spend")):
        return view
    if view is None:
        view = {"v": VIEW_VERSION, "mode": "code", "fetched": None, "ttl": DEFAULT_TTL["code"], "status": "ok",
                "error": None, "backoff_until": None, "next_call": None, "wait_sig": None, "cred_sig": None,
                "windows": [], "money": None, "no_limits": False, "console": None, "pace": None,
                "source": "claude-code", "at": None}
    if view.get("mode") == "console":
        return view
    since = _num(view.get("account_since"))
    if since is not None:  # readings heard before this account logged in here are another's
        h_windows = [w for w in h_windows if readings.is_reading(w) and w[4] >= since]
    merged = dict(view)
    merged["windows"] = readings.merge(view.get("windows"), h_windows, now=now)
    fetched = _num(view.get("fetched"))
    h_new = readings.newest([w for w in h_windows if readings.is_reading(w)])
    if h_new is not None and now is not None:
        h_new = min(h_new, now)
    if h_new is not None and (fetched is None or h_new > fetched):
        merged["fetched"] = h_new
        if merged.get("status") in TRANSIENT:
            merged["status"] = "ok"  # fresher numbers arrived another way
        merged["no_limits"] = False
    spend = harvest.get("spend")
    if isinstance(spend, dict) and (_num(spend.get("observed")) or 0) > (fetched or 0):
        money = dict(merged.get("money") or {"credits": None})
        money["spend"] = spend
        merged["money"] = money
        if merged.get("fetched") is None:
            merged["fetched"] = _num(spend.get("observed"))
    best = max(merged["windows"], key=lambda r: r[4], default=None)
    if best is not None:
        merged["source"] = best[5]
    return merged


def current_view(acct, now=None):
    """The account's line view with any harvested rate limits laid over it."""
    return merge_harvest(read_view(oslite.join(acct, "line.bin")),
                         read_harvest(oslite.join(acct, "harvest.bin")), now)


def valid_key(key):
    """``key`` when it is an account key (short, alphanumeric: it names files), else None."""
    return key if isinstance(key, str) and 0 < len(key) <= 40 and key.isalnum() else None


def account_key(acct, view=None):
    """The short key of the account whose data ``acct`` holds (the fetcher writes it into the
    view), or None while it is not known."""
    view = read_view(oslite.join(acct, "line.bin")) if view is None else view
    return valid_key((view or {}).get("account"))


def key_dir(acct, key):
    """Where account ``key``'s own files (history, notification state) live inside the config
    dir's account dir: ``accounts/<key>/``; the dir itself while the account is not known. Two
    accounts logged in one after the other in one config dir never share one."""
    key = valid_key(key)
    return oslite.join(oslite.fspath(acct), "accounts", key) if key else oslite.fspath(acct)


def settled(view, cred_sig):
    """Whether the account ``view`` names is still the one logged in: no login since the fetcher
    wrote it (``cred_sig`` unchanged). Until the next fetch says who a new login is, the hook
    files nothing under the previous account (no history sample, no notification)."""
    had = (view or {}).get("cred_sig")
    return had is None or had == cred_sig


def history_dir(acct, view=None):
    """Where the current account's history lives (``key_dir`` of the view's account)."""
    return key_dir(acct, account_key(acct, view))


TTL_MIN, TTL_MAX = 5.0, 86400.0
MAX_WAIT = 3600.0  # policy.MAX_WAIT: no backoff of ours is longer; one further ahead is a clock that jumped


def ttl_seconds(raw):
    """A TTL from the environment in seconds, within [``TTL_MIN``, ``TTL_MAX``]; None when it is
    unset or no finite number (``1e999``, ``nan``). The one rule: the fetcher's policy asks here."""
    if not raw:
        return None
    try:
        ttl = float(raw)
    except (TypeError, ValueError):
        return None
    if ttl != ttl or ttl in (float("inf"), float("-inf")):
        return None
    return min(TTL_MAX, max(TTL_MIN, ttl))


def ttl_for(view, env):
    mode = (view or {}).get("mode") or "code"
    got = ttl_seconds(env.get(TTL_ENV.get(mode, "CLAUDE_USAGE_TTL")))
    if got is not None:
        return got
    return _num((view or {}).get("ttl")) or DEFAULT_TTL.get(mode, 30.0)


def needs_fetch(view, now, cred_sig, env):
    """Whether the cache should be refreshed now (the fetcher re-checks under its lock)."""
    if view is None:
        return True
    if view.get("wait_sig") is not None:
        return cred_sig != view["wait_sig"]  # an auth failure waits for new credentials
    if view.get("status") == "no_credentials":
        return (cred_sig != view.get("cred_sig") or bool(env.get("ANTHROPIC_ADMIN_API_KEY"))
                or now - (_num(view.get("at")) or 0) > NO_CREDS_RETRY)
    if cred_sig is not None and view.get("cred_sig") not in (None, cred_sig):
        return True  # Claude Code rewrote its credentials: maybe another account
    cfg = view.get("config")
    if isinstance(cfg, dict) and cfg.get("sig") != fastpaths.cred_sig(fastpaths.config_file(env)):
        return True  # config.toml changed: the fetcher compiles it into the view again
    until = _num(view.get("backoff_until"))
    if until and now < until <= now + MAX_WAIT:  # further ahead: a clock that jumped back
        return False
    fetched = _num(view.get("fetched"))
    ttl = ttl_for(view, env)
    at = _num(view.get("at")) or 0
    if fetched is not None and -ttl < now - fetched < ttl:
        # Harvested numbers keep the data fresh without the fetcher; it still runs once per TTL
        # for what only it reads (Pace Maker, the hourly profile), without calling the usage API.
        return view.get("source") == "claude-code" and now - at >= ttl
    next_call = _num(view.get("next_call"))
    if next_call and now < next_call and 0 <= now - at < 3600:
        return False  # the endpoint is not ready for us yet: a fetcher now would only wait
    return True


def platform(env):
    """``sys.platform``, or ``CLAUDE_USAGE_PLATFORM`` (the tests' seam for the macOS Keychain path)."""
    forced = env.get("CLAUDE_USAGE_PLATFORM")
    return forced if forced in ("darwin", "linux") else sys.platform


def has_credentials(env, cred_sig):
    """Anything to log in with: the credentials file (its signature exists), a key, the Keychain."""
    return cred_sig is not None or bool(env.get("ANTHROPIC_ADMIN_API_KEY")) or platform(env) == "darwin"


def refresh(acct, mode, view, cred_sig, env, now, debounce=None):
    """Start the fetcher when the view is due (see ``needs_fetch``); a problem text or None."""
    if not needs_fetch(view, now, cred_sig, env):
        return None
    if view is not None and view.get("at") is not None and cred_sig != view.get("cred_sig"):
        debounce = 0.0  # the fetcher saw other credentials: a new login or key, fetched at this very call
    # (A view made from the hook's harvest alone has no fetcher's "at" and no signature: not a login.)
    elif debounce is None:
        debounce = min(10.0, ttl_for(view, env) / 2)
    from statusline.cache.spawn import spawn_fetcher  # only when the data is due

    return spawn_fetcher(acct, mode, now, debounce)


CONFIG_VERSION = 1


def line_config(env):
    """config.toml's settings for the line as the file says now, or None when there is none.

    The line never parses TOML on its way: the settings are compiled once per change of the
    file (its ``mtime_ns:size``) into ``config-<hash of its path>.bin`` in the cache root, which
    every later call reads like the view. The first call after a change compiles it itself
    (``cache/config``, tomllib: a few milliseconds, once), so an edit, or ``claude-usage
    configure``, shows at the very next line, prompt and Claude Code refresh. Only the file is
    compiled: the environment's ``CLAUDE_USAGE_*`` still win at each call (``look``, ``glyphs``)."""
    path = fastpaths.config_file(env)
    sig = fastpaths.cred_sig(path)
    if sig is None:
        return None
    root = fastpaths.cache_root(env)
    where = oslite.join(root, "config-%s.bin" % fastpaths.fnv1a64(path))
    got = read_marshal(where, CONFIG_VERSION)
    if got is not None and got.get("sig") == sig and got.get("path") == path and isinstance(got.get("config"), dict):
        return got["config"]
    from statusline.cache import config  # the file changed since it was compiled: once per change

    compiled = config.line_config(config.load(path, env={}))
    compiled["sig"] = sig  # as stat'ed before reading: a change meanwhile is compiled at the next call
    try:
        safefiles.makedirs_private(root)
        safefiles.write_atomic(where, safefiles.dumps_marshal({"v": CONFIG_VERSION, "sig": sig, "path": path,
                                                               "config": compiled}), sync=False)
    except (OSError, ValueError):
        pass  # compiled again at the next call: slower, never wrong
    return compiled


def load(mode, refresh_ok, env, now):
    """(view, credentials signature, problem) for the current account; may start the fetcher.
    The view's ``config`` is config.toml as it is now (``line_config``), not as the fetcher
    last compiled it."""
    cfg = fastpaths.config_dir(env)
    acct = fastpaths.account_dir(fastpaths.cache_root(env), cfg, mode)
    cred_sig = fastpaths.auth_sig(cfg, env)
    view = current_view(acct, now)
    note = refresh(acct, mode, view, cred_sig, env, now) if refresh_ok else None
    if view is not None:
        view = dict(view, config=line_config(env) or {})
    if view is not None and view.get("status") == "no_credentials" and cred_sig != view.get("cred_sig") \
            and has_credentials(env, cred_sig):
        # credentials appeared since the fetcher said there were none: it is at work on them now
        view = dict(view, status="ok", error=None)
    return view, cred_sig, note


def glyphs(opts, view, env):
    """The glyph set: ``--glyphs``, else ``CLAUDE_USAGE_GLYPHS``, else config.toml's (compiled
    into the view), else None (the target's default)."""
    cfg = (view or {}).get("config")
    for g in (opts.get("glyphs"), env.get("CLAUDE_USAGE_GLYPHS"), cfg.get("glyphs") if isinstance(cfg, dict) else None):
        if g in ("emoji", "plain", "ascii"):
            return g
    return None


NOTIFY_ENV = "CLAUDE_USAGE_NOTIFY"


def notify_asked(view, env):
    """Whether notifications may be on (``render/notify`` decides which thresholds): the
    environment's ``CLAUDE_USAGE_NOTIFY`` or config.toml's ``[notify] at`` (compiled into the
    view). They are opt-in: off, the hook loads nothing for them."""
    cfg = (view or {}).get("config")
    return bool(env.get(NOTIFY_ENV) or (isinstance(cfg, dict) and cfg.get("notify_at")))




def look(opts, view, env):
    """(style, theme): ``--style``/``--theme``, else ``CLAUDE_USAGE_STYLE``/``CLAUDE_USAGE_THEME``,
    else config.toml's ``[line]`` (compiled into the view), else plain and the default theme."""
    cfg = (view or {}).get("config")
    cfg = cfg if isinstance(cfg, dict) else {}
    style = theme = None
    for s in (opts.get("style"), env.get("CLAUDE_USAGE_STYLE"), cfg.get("style")):
        if s in STYLES:
            style = s
            break
    for t in (opts.get("theme"), env.get("CLAUDE_USAGE_THEME"), cfg.get("theme")):
        if t in THEMES:
            theme = t
            break
    return style or "plain", theme or "default"


def line_settings(view):
    """config.toml's compiled ``[line]`` and ``[tmux]`` settings from the view, or {}."""
    cfg = (view or {}).get("config")
    return cfg if isinstance(cfg, dict) else {}


def items(opts, view):
    """The items in order: config.toml's ``[line] items`` (else the default), with ``--show``'s
    added and ``--hide``'s left out (``core/items.chosen``)."""
    from statusline.core import items as names

    configured = line_settings(view).get("items")
    configured = configured if isinstance(configured, (tuple, list)) else None
    return names.chosen(configured, names.parse_list(opts.get("show")), names.parse_list(opts.get("hide")))


NUMBERS_ENV = "CLAUDE_USAGE_NUMBERS"


def numbers(view, env):
    """``used`` or ``left``: ``CLAUDE_USAGE_NUMBERS``, else config.toml's ``[line] numbers``."""
    for n in (env.get(NUMBERS_ENV), line_settings(view).get("numbers")):
        if n in ("used", "left"):
            return n
    return "used"
