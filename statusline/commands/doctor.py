"""``claude-usage doctor``: every fact needed to fix a problem, each with the fix for that state.

Prints where credentials were found (a path or the Keychain, never the token), token
expiry, mode, the API address, the cache (where, writable, space left), last error, backoff
and the lock holder. Each check runs on its own: an exception inside one becomes one line
saying what could not be checked, never a traceback.
"""

from __future__ import annotations

import errno
import math
import os
import stat
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from statusline.cache import config, fastpaths, safefiles, store
from statusline.cache.paths import Paths
from statusline.core import clean, readings, spend
from statusline.core.model import AUTH_KINDS, Snapshot, utc
from statusline.fetch import api, policy
from statusline.sources import credentials
from statusline.version import VERSION

Row = tuple[str, str, "str | None"]  # (mark: "ok" | "warn" | "!!", text, fix)

LOW_SPACE = 64 * 1024  # bytes: less than this free and the next snapshot may not fit
ADMIN_KEY_FIX = ("create a new Admin API key in the Claude Console (Settings > Admin keys), "
                 "export ANTHROPIC_ADMIN_API_KEY=sk-ant-admin..., then run `claude-usage refresh`")


def _age(seconds: float) -> str:
    if not math.isfinite(seconds):
        return "?"
    s = int(abs(seconds))
    if s < 120:
        return f"{s}s"
    if s < 7200:
        return f"{s // 60}m"
    if s < 172800:
        return f"{s // 3600}h {s % 3600 // 60}m"
    return f"{s // 86400}d {s % 86400 // 3600}h"


def _wait(seconds: float) -> str:
    """Time left to wait, rounded up (never shorter than it is)."""
    from statusline.render.segments import wait

    return wait(seconds, " ") if math.isfinite(seconds) else "?"


def _local(dt: datetime) -> str:
    return dt.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")


def _mode_bits(path: os.PathLike[str] | str) -> str:
    try:
        return oct(stat.S_IMODE(os.stat(path).st_mode))[2:]
    except OSError:
        return "?"


ROW_MAX = 600  # characters of one row: a 100 KB path from the environment is shown cut, once


def _short(text: str | None) -> str | None:
    if text is None or len(text) <= ROW_MAX:
        return text
    return text[:ROW_MAX // 2] + " … " + text[-ROW_MAX // 4:]


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    ok: bool = True

    def add(self, good: bool, text: str, fix: str | None = None) -> None:
        self.ok = self.ok and good
        self.rows.append(("ok" if good else "!!", _short(text) or "", None if good else _short(fix)))

    def warn(self, text: str, fix: str) -> None:
        """Works, but is unsafe or about to break: shown as [warn], and doctor exits 1."""
        self.ok = False
        self.rows.append(("warn", _short(text) or "", _short(fix)))


@dataclass
class Context:
    paths: Paths
    requested: str
    env: Mapping[str, str]
    now: datetime
    creds: credentials.Credentials | None = None
    mode: str | None = None
    snap: Snapshot | None = None
    cache_problem: str | None = None
    cache_writable: bool = True
    cache_path_problem: str | None = None  # the cache's path itself cannot be used (too long)


# --- the checks ------------------------------------------------------------------------------


def check_credentials(r: Report, c: Context) -> None:
    creds = c.creds = credentials.load(c.paths, c.env)
    mode = c.mode = credentials.resolve_mode(c.requested, creds)
    how = "forced" if c.requested != "auto" else ("from the credentials file" if creds.mode_hint else "detected")
    r.add(mode is not None, f"mode: {mode or 'none'} ({how})",
          "log in with `claude`, or set ANTHROPIC_ADMIN_API_KEY for Console mode")
    for problem in creds.problems:
        if "chmod 600" in problem:
            continue  # the file-mode check below says it, with its fix
        r.add(False, f"credentials: {problem}", credentials_fix(problem))
    check_credentials_file_mode(r, c.paths.credentials_file)


def credentials_fix(problem: str) -> str:
    """The right fix for one problem ``credentials.load`` reported."""
    if "Admin API key" in problem:
        return ADMIN_KEY_FIX
    if "not a regular file" in problem:
        return "remove it and run `claude` to log in again (Claude Code writes a regular file)"
    if "Keychain" in problem:
        return "run `claude` to log in again; check `security find-generic-password -s 'Claude Code-credentials'`"
    return "run `claude` to log in again (the file is Claude Code's; we never write it)"


def check_credentials_file_mode(r: Report, path: Path) -> None:
    try:
        st = os.stat(path)
    except OSError:
        return
    if stat.S_ISREG(st.st_mode) and st.st_mode & 0o077:
        who = "everyone" if st.st_mode & 0o007 else "its group"
        r.warn(f"credentials file: {path} is readable by {who} (mode {oct(stat.S_IMODE(st.st_mode))[2:]}): "
               "anyone who can read it can use your login",
               f"chmod 600 {path}")


def check_tokens(r: Report, c: Context) -> None:
    creds, mode, paths = c.creds, c.mode, c.paths
    assert creds is not None
    if creds.oauth:
        o = creds.oauth
        r.add(True, f"OAuth token: found in {creds.oauth_source} (file mode {_mode_bits(paths.credentials_file)})")
        if o.expires_at:
            left = (o.expires_at - c.now).total_seconds()
            r.add(not o.expired(c.now),
                  f"token expiry: {_local(o.expires_at)} ({'in ' + _age(left) if left > 0 else _age(left) + ' ago'})",
                  "run `claude` once: Claude Code refreshes its token and we pick it up")
        if o.scopes and "user:profile" not in o.scopes:
            r.add(False, f"token scopes: {', '.join(o.scopes)}",
                  "this looks like a `claude setup-token` token; log in with `claude` to get user:profile")
    elif mode == "code":
        r.add(False, f"OAuth token: not found in {paths.credentials_file}", "run `claude` and log in")
    if creds.admin_key:
        rejected = _admin_rejection(c)
        if rejected:
            r.add(False, f"Admin API key: from {creds.admin_source}, rejected by the Admin API "
                  f"({rejected})", ADMIN_KEY_FIX)
        else:
            r.add(True, f"Admin API key: from {creds.admin_source}")
    elif mode == "console":
        r.add(False, "Admin API key: not found", "export ANTHROPIC_ADMIN_API_KEY=sk-ant-admin…")


def _admin_rejection(c: Context) -> str | None:
    """When the last Console fetch had its key refused and nothing succeeded since: what it said."""
    snap = c.snap
    if c.mode != "console" or snap is None or snap.mode != "console" or snap.last_error is None:
        return None
    e = snap.last_error
    if e.kind not in AUTH_KINDS:
        return None
    return f"{_local(e.at)}: {api.redact(e.message)}"


def check_console_user(r: Report, c: Context) -> None:
    if c.mode != "console":
        return
    from statusline.fetch import console

    snap = c.snap
    profile_email = snap.profile.email if snap and snap.profile else None
    email, where = console.current_email(c.paths, c.env, profile_email)
    cons = snap.console if snap is not None and isinstance(snap.console, dict) else {}
    known, at = spend.email_check(cons, email) if email else (None, None)
    if email and known is False:
        org = f" of {clean.text(cons.get('organization'), 80)}" if cons.get("organization") else ""
        when = f" (checked {_local(utc(at))})" if at else ""
        r.add(False, f"Console user: {email} ({where}) is not one of the users{org}{when}: "
              "no costs can match it, so the month reads $0.00",
              "set CLAUDE_USAGE_EMAIL to the email you sign in to the Claude Console with")
        return
    r.add(email is not None, f"Console user: {email} ({where})" if email else f"Console user: {where}",
          "export CLAUDE_USAGE_EMAIL=you@example.com (only this person's costs are shown)")


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be the API's base address, or None when it can."""
    if any(ch.isspace() for ch in url):
        return "it contains white space"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError as exc:
        return str(exc)
    if parts.scheme not in ("http", "https"):
        return f"the scheme must be http or https, not {parts.scheme or 'missing'!r}"
    if not parts.hostname:
        return "it has no host name"
    if parts.query or parts.fragment:
        return "a base address takes no ?query or #fragment"
    return None


def check_api_url(r: Report, c: Context) -> None:
    url = api.base_url(c.env)
    raw = c.env.get("CLAUDE_USAGE_API_URL")
    problem = url_problem(url) if raw else None
    where = " (from CLAUDE_USAGE_API_URL)" if raw else ""
    if problem:
        r.add(False, f"API: {url!r}{where} is not a usable address: {problem}",
              "unset CLAUDE_USAGE_API_URL (the default is https://api.anthropic.com), or set it to "
              "scheme://host[:port], e.g. https://api.anthropic.com")
    else:
        r.add(True, f"API: {url}{where}")


def _nearest_existing(path: Path) -> Path:
    p = path
    while not p.exists() and p.parent != p:
        p = p.parent
    return p


NAME_MAX, PATH_MAX = 255, 4096  # POSIX's usual limits (Linux, macOS: 1024 for a path)


def path_problem(path: str) -> str | None:
    """Why no file can be made under ``path`` at all (too long a path, or a name in it), or None."""
    if len(os.fsencode(path)) >= PATH_MAX - 64:
        return f"its path is {len(path)} characters long; the system's limit is about {PATH_MAX}"
    longest = max((len(os.fsencode(part)) for part in path.split(os.sep)), default=0)
    if longest > NAME_MAX:
        return f"a folder name in its path is {longest} bytes long; the limit is {NAME_MAX}"
    return None


def check_paths(r: Report, c: Context) -> None:
    """Paths from the environment: a relative one is ignored (``fastpaths.absolute``), and a cache
    path no file can be made under is said once, instead of failing every check after it."""
    for name, value in fastpaths.ignored(c.env):
        r.warn(f"paths: {name}={value!r} is a relative path: ignored, as the XDG spec says (it would be "
               "resolved in whatever folder a prompt runs in)", f"set {name} to an absolute path, or unset it")
    why = path_problem(str(c.paths.account_dir(c.requested)))
    if why:
        c.cache_path_problem = why
        c.cache_writable = False
        where = "CLAUDE_USAGE_CACHE_DIR" if c.env.get("CLAUDE_USAGE_CACHE_DIR") else "the cache folder"
        r.add(False, f"cache: {where} cannot be used: {why}",
              "set CLAUDE_USAGE_CACHE_DIR to a shorter path, or unset it")


def check_cache(r: Report, c: Context) -> None:
    if c.cache_path_problem:
        return  # said by check_paths
    acct = c.paths.account_dir(c.requested)
    where = acct if acct.exists() else _nearest_existing(acct)
    trust = safefiles.trust_problem(str(acct)) if acct.parent.is_dir() else None
    if trust:  # the same test every writer applies: a row that says ok here must not fail there
        c.cache_writable = False
        what, fix = _split_fix(trust)
        r.add(False, "cache: " + what.removeprefix("cache dir "), fix)
    elif acct.exists():
        r.add(True, f"cache: {acct} (dir mode {_mode_bits(acct)})")
    else:
        r.add(True, f"cache: {acct} (not created yet; it will be created in {where})")
    root = c.paths.cache_root
    if root.name.startswith(fastpaths.SHARED_PREFIX) and fastpaths.shared(str(root.parent)):
        r.add(True, f"cache: {root.parent} is shared with other users (writable by them or theirs): "
                    f"only our own 0700 subfolder {root.name} in it is used, and no file there but ours "
                    "is read (another user's in its place is refused)")
    if trust:
        return
    unwritable = _unwritable(where)
    if unwritable:
        c.cache_writable = False
        r.add(False, f"cache: {where} is not writable ({unwritable}): nothing can be fetched or kept",
              f"make it writable (chmod u+rwx {where}, or fix its owner or mount), or point "
              "CLAUDE_USAGE_CACHE_DIR at a directory you can write")
    else:
        free = _free_bytes(where)
        if free is not None and free < LOW_SPACE:
            c.cache_writable = False
            r.add(False, f"cache: the disk holding {where} is full ({free} bytes free)",
                  "free some space on that disk, or point CLAUDE_USAGE_CACHE_DIR at another disk")
    problem = c.cache_problem
    if problem:
        fix = ("nothing to do: it is rebuilt on the next fetch" if c.cache_writable
               else "it cannot be rebuilt until the cache directory is writable (see above)")
        r.add(False, f"cache: {problem}", fix)


FIX_VERBS = ("set ", "run ", "remove ")


def _split_fix(sentence: str) -> tuple[str, str]:
    """``safefiles.trust_problem``'s "what: fix" sentence as doctor's two parts."""
    what, sep, fix = sentence.rpartition(": ")
    if sep and fix.startswith(FIX_VERBS):
        return what, fix
    return sentence, "point CLAUDE_USAGE_CACHE_DIR at a directory of yours"


def _unwritable(path: Path) -> str | None:
    """Why we could not create a file in ``path``; None when we can."""
    if not os.access(path, os.W_OK | os.X_OK):
        err = errno.EROFS if _read_only_fs(path) else errno.EACCES
        return f"{os.strerror(err).lower()}, mode {_mode_bits(path)}"
    probe = path / f".doctor-probe-{os.getpid()}"
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    except FileExistsError:
        return None
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return None  # full, not unwritable: reported by the space check
        return (exc.strerror or str(exc)).lower()
    try:
        os.write(fd, b"x")
    except OSError:
        pass  # a full disk: the space check says so
    finally:
        os.close(fd)
        try:
            os.unlink(probe)
        except OSError:
            pass
    return None


def _read_only_fs(path: Path) -> bool:
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):
        return False


def _free_bytes(path: Path) -> int | None:
    try:
        st = os.statvfs(path)
    except (OSError, AttributeError):
        return None
    return st.f_bavail * st.f_frsize


def _fix_for(kind: str, mode: str | None) -> str:
    if mode == "console" and kind in AUTH_KINDS:
        return ADMIN_KEY_FIX
    return {
        "auth_expired": "run `claude`: it refreshes the token, and the line picks it up",
        "auth_invalid": "run `claude` and log in again",
        "missing_scope": "log in with `claude` (tokens from `claude setup-token` lack user:profile)",
        "rate_limited": "wait for the backoff to end; close other tools polling the same token",
        "network_error": "check the network connection (and CLAUDE_USAGE_API_URL if you set it); "
                         "the next fetch retries by itself",
        "server_error": "nothing to do: Anthropic's API failed and the next fetch retries by itself",
        "bad_response": "nothing to do: the API answered something unexpected; the next fetch retries",
        "no_credentials": ("set ANTHROPIC_ADMIN_API_KEY=sk-ant-admin..." if mode == "console"
                           else "run `claude` and log in, or set ANTHROPIC_ADMIN_API_KEY"),
        "no_email": "set CLAUDE_USAGE_EMAIL=you@example.com",
    }.get(kind, "run `claude-usage refresh` to see the details")


def _backoff_fix(kind: str, mode: str | None) -> str:
    if kind == "rate_limited":
        return "wait: retrying earlier only prolongs a rate limit"
    if kind == "network_error":
        return ("check the network connection (and CLAUDE_USAGE_API_URL if you set it); it retries "
                "by itself when the pause ends, or now with `claude-usage refresh`")
    if kind in AUTH_KINDS:
        return _fix_for(kind, mode)
    return "nothing to do: it retries by itself when the pause ends, or now with `claude-usage refresh`"


def check_snapshot(r: Report, c: Context) -> None:
    if c.cache_path_problem:
        return  # said by check_paths
    snap, env, now = c.snap, c.env, c.now
    acct = c.paths.account_dir(c.requested)
    if snap is None:
        if not c.cache_writable:
            fix = "first fix the cache directory (see above)"
        elif c.mode is None:
            fix = "first log in with `claude` (or set ANTHROPIC_ADMIN_API_KEY): there is nothing to fetch with yet"
        else:
            fix = "run `claude-usage refresh`"
        r.add(acct.exists() and c.cache_problem is None, "snapshot: none yet", fix)
        return
    mode = c.mode or snap.mode
    ttl = policy.ttls(env)["console" if snap.mode == "console" else "code"]
    if snap.mode != "console":  # data as old as the spacing the endpoint accepts is as fresh as it gets
        from statusline.fetch import pool

        ttl = max(ttl, pool.read(pool.directory(c.paths, store.account_key(snap))).budget.spacing)
    fetched = snap.data_fetched_at()
    if fetched:
        age = (now - fetched).total_seconds()
        r.add(age <= 2 * ttl or snap.backoff is not None,
              f"data: fetched {_local(fetched)} ({_age(age)} ago; refreshed every {_age(math.ceil(ttl))}; "
              f"source {snap.usage_source or 'api'})",
              "run `claude-usage refresh` to see why it is not updating")
    else:
        r.add(False, "data: never fetched successfully", "run `claude-usage refresh` to see why")
    if snap.last_error:
        e = snap.last_error
        r.add(False, f"last error: {api.redact(e.message)} (at {_local(e.at)})", _fix_for(e.kind, mode))
    else:
        r.add(True, "last error: none")
    b = snap.backoff
    if b is None:
        r.add(True, "backoff: none")
    elif b.until is None:
        what = "the Admin API key" if mode == "console" else "the credentials file"
        from statusline.fetch.fetcher import KIND_WORDS

        r.add(False, f"backoff: paused after {KIND_WORDS.get(b.kind, b.kind)}, waiting for {what} to change",
              _fix_for(b.kind, mode))
    elif b.until > now:
        from statusline.fetch.fetcher import KIND_WORDS

        times = f", {b.failures} times in a row" if b.failures > 1 else ""
        r.add(False, f"backoff: paused after {KIND_WORDS.get(b.kind, b.kind)}{times}, until {_local(b.until)} "
              f"({_wait((b.until - now).total_seconds())} left)", _backoff_fix(b.kind, mode))
    else:
        r.add(True, "backoff: none (the last pause has ended)")


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    except OSError:
        return False
    return True


def process_name(pid: int) -> str | None:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    words = [w.decode(errors="replace") for w in raw.split(b"\0") if w]
    text = " ".join(os.path.basename(w) if i == 0 else w for i, w in enumerate(words))
    text = "".join(ch if ch.isprintable() else "?" for ch in text)
    return text[:80] or None


def lock_held(acct: Path) -> bool | None:
    """Whether some process holds the fetch lock now (None: cannot tell)."""
    from filelock import FileLock, Timeout

    if not (acct / store.LOCK).exists():
        return False
    try:
        lock = FileLock(str(acct / store.LOCK), timeout=0)
        lock.acquire()
    except Timeout:
        return True
    except OSError:
        return None
    lock.release()
    return False


def check_lock(r: Report, c: Context) -> None:
    if c.cache_path_problem:
        return  # said by check_paths
    acct = c.paths.account_dir(c.requested)
    owner = store.read_owner(acct)
    if not owner:
        r.add(True, "lock: free")
        return
    since = owner.get("since")
    held = f" for {_age(c.now.timestamp() - since)}" if isinstance(since, (int, float)) else ""
    pid = owner.get("pid")
    if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0:
        r.add(False, f"lock: {acct / store.OWNER} names no process ({pid!r})",
              f"rm {acct / store.OWNER} (the next fetch writes a new one)")
        return
    alive = pid_alive(pid)
    busy = lock_held(acct) if c.cache_writable else None
    if alive and busy is not False:
        name = process_name(pid)
        r.add(True, f"lock: held by fetcher pid {pid}{' (' + name + ')' if name else ''}{held}")
        return
    why = "is no longer running" if not alive else "no longer holds the lock"
    r.add(False, f"lock: stale, fetcher pid {pid} (noted{held.replace(' for', '')} ago) {why}",
          f"nothing is fetching; run `claude-usage refresh` (or rm {acct / store.OWNER})")


def check_log(r: Report, c: Context) -> None:
    if c.cache_path_problem:
        return  # said by check_paths
    log = c.paths.account_dir(c.requested) / store.LOG
    if log.is_file() and log.stat().st_size:
        try:
            raw = safefiles.read_own(str(log), store.LOG_READ_LIMIT)
        except OSError as exc:
            r.add(False, f"fetcher log: {log} cannot be read ({exc.strerror or exc})",
                  f"remove it (rm {log}): the fetcher writes a new one")
            return
        tail = raw.decode("utf-8", "replace").strip().splitlines()[-1:]
        r.add(True, f"fetcher log: {log} (last: {api.redact(tail[0]) if tail else ''})")


def check_service(r: Report, c: Context) -> None:
    """Anthropic's status page: when it was asked, and the incident it names (``fetch/status_page``)."""
    from statusline.fetch import status_page

    if not config.load(env=c.env).status:
        r.add(True, "Anthropic status page: off ([sources] status = false or CLAUDE_USAGE_STATUS=off): never asked")
        return
    got = status_page.load(c.paths.cache_root) or {}
    t = c.now.timestamp()
    checked = got.get("checked")
    when = f"asked {_age(t - checked)} ago" if isinstance(checked, (int, float)) else "not asked yet"
    where = status_page.url(c.env)
    shown = status_page.shown(got, t)  # what the fetcher last heard: doctor itself asks nothing
    if shown:
        what = {"outage": "an outage", "degraded": "degraded performance", "incident": "an incident"}[shown["state"]]
        name = f": {clean.text(shown.get('name'), 160)}" if shown.get("name") else ""
        r.warn(f"Anthropic status page ({where}, {when}) reports {what} touching Claude Code or the API{name}",
               "nothing to fix on your side: the line says so until it is over"
               + (f"; follow it at {shown['link']}" if shown.get("link") else ""))
        return
    err = got.get("error")
    r.add(True, f"Anthropic status page: {where}, {when}; "
          + (f"the last ask failed ({api.redact(str(err))})" if err else "nothing touching Claude Code or the API"))


def check_sources(r: Report, c: Context) -> None:
    """Every source of readings with its age: where the numbers come from, and how fresh each is."""
    if (c.mode or (c.snap.mode if c.snap else None)) == "console":
        return
    from statusline.cache import cache_view
    from statusline.fetch import budget, pool
    from statusline.sources import claude_json, claude_version, pace_maker

    t = c.now.timestamp()

    def ago(at: float | None) -> str:
        return "none" if at is None else f"{_age(t - at)} ago ({_local(utc(at))})"

    shared = pool.read(pool.directory(c.paths, store.account_key(c.snap) if c.snap else None))
    b = shared.budget
    api_row = f"source usage API: last answer {ago(shared.usage_at)}"
    if b.spacing:
        api_row += f"; it takes one call per {b.spacing:.0f}s from this login (learned)"
    allowed = budget.allowed_at(b, t, policy.ttls(c.env)["profile"])
    if allowed > t:
        api_row += f"; next call not before {_local(utc(allowed))}"
    if not config.load(env=c.env).usage_api:
        api_row = ("source usage API: off ([sources] usage_api = false or CLAUDE_USAGE_API=off): "
                   "no call to the OAuth endpoints")
    if c.snap is not None and c.snap.account:
        who = c.snap.profile.email if c.snap.profile and c.snap.profile.email else None
        r.add(True, f"account: {who or 'OAuth account'} (key {store.account_key(c.snap)})")
    r.add(True, api_row + f"; User-Agent claude-code/{claude_version.current(c.paths.cache_root, c.env, t)}")
    harvest = cache_view.read_harvest(str(c.paths.account_dir(c.requested) / store.HARVEST)) or {}
    at = harvest.get("fetched") if isinstance(harvest.get("fetched"), (int, float)) else None
    r.add(True, f"source Claude Code statusLine: last input {ago(at)}"
          + ("" if at else " (set it up with `claude-usage setup claude-code --install`)"))
    cached = claude_json.usage(credentials.read_claude_json(c.paths), None, t)
    seen = max((w.observed_at.timestamp() for _, _, w in cached.windows() if w.observed_at), default=None) \
        if cached else None
    r.add(True, f"source {c.paths.claude_json} (cachedUsageUtilization): {ago(seen)}")
    pm = pace_maker.readings(c.paths.pace_maker_dir, t)
    if pm.readings or pm.backoff_until:
        row = f"source Pace Maker: newest row {ago(readings.newest(pm.readings))}"
        if pm.backoff_until and pm.backoff_until > t:
            row += f"; it is backing off this token until {_local(utc(pm.backoff_until))}"
        r.add(True, row)


LINE_NOTE_DAYS = 1  # a mistake no call has repeated since is forgotten after this long


def check_line_usage(r: Report, c: Context) -> None:
    """A prompt or a bar cannot show a mistyped option: the line leaves it here for us. A correct
    call of the same kind removes it, and one no call has repeated for a day is forgotten."""
    try:
        raw = safefiles.read_own(str(c.paths.cache_root / "line-usage-error"), 4096).decode("utf-8", "replace")
    except OSError:
        return
    fields = raw.strip().split("\t")
    when, what = fields[0], fields[-1]
    if len(fields) < 2 or not when.isdigit() or c.now.timestamp() - int(when) > LINE_NOTE_DAYS * 86400:
        return
    kind = fields[1] if len(fields) >= 3 else "line"
    who = "the Claude Code status line (claude-usage-line --claude-code)" if kind == "claude-code" \
        else "claude-usage-line"
    ago = _age(c.now.timestamp() - int(when))
    r.warn(f"{who} was last called with a mistake {ago} ago, at {_local(utc(int(when)))}: "
           f"{clean.text(what, 300)}",
           "correct the option where the line is configured (tmux.conf, your prompt, Waybar, Claude Code's "
           "settings.json); `claude-usage-line --help` lists them. The note goes away at the next correct call.")


def check_config(r: Report, c: Context) -> None:
    """config.toml and the CLAUDE_USAGE_* variables: each value ignored or raised, with its fix."""
    from statusline.cache import config

    settings = config.load(env=c.env)
    where = settings.path
    if not settings.problems and not settings.clamped:
        state = "found" if config.signature(where) else "none (every value is a default or from the environment)"
        r.add(True, f"configuration: {where}: {state}")
        return
    fixes = list(settings.fixes) + [""] * (len(settings.problems) - len(settings.fixes))
    for problem, fix in zip(settings.problems, fixes, strict=False):
        r.add(False, f"configuration: {problem}", fix or f"correct it in {where}")
    for note in settings.clamped:
        r.warn(f"configuration: {note}", "set a value of at least the minimum, so what you read is what is used")


def check_pace_maker(r: Report, c: Context) -> None:
    pm = c.paths.pace_maker_dir
    r.add(True, f"Pace Maker: {'installed at ' + str(pm) if (pm / 'config.json').exists() else 'not installed'}")


def _rerun(env: Mapping[str, str]) -> str:
    """The setup command that writes the fast launch anew: one of the targets the record says
    run it (any of them rewrites it), else Claude Code's."""
    from statusline.commands import setup_record

    try:
        users = setup_record.load(env).users_of_launch()
    except Exception:  # noqa: BLE001 - an unreadable record is its own row elsewhere
        users = []
    target = next((u for u in users if "/" not in u), "claude-code")
    return f"claude-usage setup {target} --install"


def check_fast_launch(r: Report, c: Context) -> None:
    """The launcher ``setup`` writes, as every prompt and bar meets it: in folders of ours, a
    file of ours, the very text this install writes, an interpreter that is there, and it runs.
    Its precompiled hot path is said too (after an upgrade in place it is not used)."""
    import sys

    from statusline.commands import launcher

    where = launcher.path(c.env)
    rerun = _rerun(c.env)
    refused = launcher.refusal(c.env)
    if refused:
        what, fix = _split_fix(refused)
        r.add(False, f"fast launch: {what} (anyone who can write there can change what every prompt runs)",
              fix if fix.startswith(FIX_VERBS) else f"make the folder yours and private (chmod 700), then {rerun}")
        return
    if not os.path.lexists(where):
        r.add(True, "fast launch: none written (the integrations run the console script)")
        return
    text = launcher.read(where)
    if text is None:
        r.add(False, f"fast launch: {where} is not a regular file of yours (a link, another user's file, or "
                     "unreadable), and every prompt and bar that names it runs it",
              f"remove it (rm {where}), then run `{rerun}`")
        return
    python = launcher.interpreter(text)
    if python is None:
        r.add(False, f"fast launch: {where} is not what setup writes: it was changed since",
              f"remove it (rm {where}), then run `{rerun}` to write it anew")
        return
    if not os.access(python, os.X_OK):
        r.add(False, f"fast launch: its Python {python} is gone (the install it was written for was removed), "
                     "so it cannot start: Claude Code, tmux and the prompts run its fallback instead (a "
                     "claude-usage-line found on PATH, slower, else `claude: reinstall claude-usage-line`)",
              f"run `{rerun}` with the claude-usage you use now: it writes the fast launch for that install")
        return
    if python != sys.executable:
        r.warn(f"fast launch: written for another install of claude-usage-line ({python}), not this one "
               f"({sys.executable})", f"run `{rerun}` with the install you mean to use")
        return
    if text != launcher._wanted(where):
        r.add(False, f"fast launch: {where} differs from what this install writes: it was changed since",
              f"run `{rerun}`: it writes it anew")
        return
    if launcher.read(launcher.fallback_path(where)) != launcher.FALLBACK_TEXT:
        r.add(False, f"fast launch: its fallback {launcher.fallback_path(where)} is missing or was changed, so a "
                     "launcher whose Python goes away would blank the bars", f"run `{rerun}`: it writes it anew")
        return
    if not launcher.compiled_current(where, text):
        r.add(False, f"fast launch: its compiled form {launcher.compiled_path(where)} is missing or is not this "
                     "launcher's, so the command Claude Code runs starts its fallback (the slower console script) or "
                     "an older launcher",
              f"run `{rerun}`: it writes it anew")
        return
    if not launcher.works(where, c.env):
        r.add(False, f"fast launch: {where} does not run (`{where} --version`, or its compiled form, did not "
                     "answer as this install)",
              f"run `{rerun}`; if it still fails, reinstall claude-usage-line")
        return
    if launcher.code_current(c.env):
        r.add(True, f"fast launch: {where}, runs, its hot path precompiled")
    else:
        r.add(True, f"fast launch: {where}, runs; its precompiled hot path is older than the installed code (an "
                    f"upgrade in place?), so the line is read from the sources, a little slower: run `{rerun}` "
                    "to precompile it again")


def load_cache(r: Report, c: Context) -> None:
    """Read the snapshot once (a corrupt one is moved aside on reading); no row of its own."""
    if path_problem(str(c.paths.account_dir(c.requested))) is None:
        c.snap, c.cache_problem = store.load_snapshot(c.paths.account_dir(c.requested))


CHECKS: tuple[tuple[str, Callable[[Report, Context], None]], ...] = (
    ("cache", load_cache),
    ("paths", check_paths),
    ("credentials", check_credentials),
    ("tokens", check_tokens),
    ("Console user", check_console_user),
    ("API", check_api_url),
    ("cache", check_cache),
    ("snapshot", check_snapshot),
    ("lock", check_lock),
    ("fetcher log", check_log),
    ("Pace Maker", check_pace_maker),
    ("line options", check_line_usage),
    ("configuration", check_config),
    ("sources", check_sources),
    ("service", check_service),
    ("fast launch", check_fast_launch),
)


def report(paths: Paths, requested: str, env: Mapping[str, str] | None = None,
           now: float | None = None) -> tuple[list[Row], bool]:
    """Rows of (mark, text, fix) and whether everything is healthy. Never raises."""
    ctx = Context(paths, requested, os.environ if env is None else env, utc(time.time() if now is None else now))
    rep = Report()
    for name, check in CHECKS:
        if name == "tokens" and ctx.creds is None:
            continue  # the credentials check failed and said so
        try:
            check(rep, ctx)
        except Exception as exc:  # one clear line, never a traceback
            text = api.redact(" ".join(str(exc).split()))[:160] or type(exc).__name__
            rep.add(False, f"{name}: could not be checked: {type(exc).__name__}: {text}",
                    "run `claude-usage refresh` for details, or report this as a bug")
    return rep.rows, rep.ok


MARKS = {"ok": "[ok]", "!!": "[!!]", "warn": "[warn]"}


def run(paths: Paths, requested: str) -> int:
    from statusline.render.dialects import escape

    def say(text: str) -> None:  # rows quote the fetcher's log, paths, the API's words: the terminal's door
        print(escape(text, "ansi"))

    try:
        rows, ok = report(paths, requested)
    except Exception as exc:  # pragma: no cover - report() catches per check
        say(f"claude-usage doctor: could not run: {type(exc).__name__}: {exc}")
        return 1
    say(f"claude-usage {VERSION} doctor")
    for mark, text, fix in rows:
        say(f"{MARKS.get(mark, mark)} {text}")
        if fix:
            say(f"     fix: {fix}")
    return 0 if ok else 1
