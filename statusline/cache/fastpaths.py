"""Locations and cache keys the hot path can compute with no import beyond ``os``.

The line runs on every prompt, so it cannot afford ``platformdirs`` (+17 ms) or ``hashlib``.
``statusline.cache.paths`` is the owner of locations for everything else; a test asserts that the
cache root here agrees with platformdirs' answer.
"""

import sys

from statusline.cache import oslite

APP = "claude-usage"
CACHE_ENV = "CLAUDE_USAGE_CACHE_DIR"


def absolute(value):
    """``value`` with ``~`` expanded when that names an absolute path, else None.

    The one rule for every path the environment gives us (``XDG_*``, ``CLAUDE_USAGE_CACHE_DIR``,
    ``CLAUDE_USAGE_CONFIG``): a relative one would be resolved in whatever folder a prompt or
    Claude Code happens to run in, so a repository's own files could stand in for ours. The XDG
    Base Directory spec says such a value is ignored; we ignore every one alike."""
    if not value or not isinstance(value, str) or "\0" in value:
        return None
    path = oslite.expanduser(value.strip())
    return path if oslite.isabs(path) else None


def xdg_home(env, name, *default):
    """``$name`` (``XDG_CONFIG_HOME``, ``XDG_DATA_HOME``, ``XDG_CACHE_HOME``) when it is an
    absolute path, else ``$HOME`` joined with ``default`` (``.config``, ``.local/share``...)."""
    return absolute(env.get(name)) or oslite.join(_home(env), *default)


def launch_dir(env):
    """The fast launch's folder, ``<data home>/claude-usage/bin``: the launcher, its fallback
    and its precompiled file (``commands/launcher``), which the console script reads too."""
    return oslite.join(xdg_home(env, "XDG_DATA_HOME", ".local", "share"), "claude-usage", "bin")


def ignored(env):
    """The path variables set to something ``absolute`` refuses: (name, value), for doctor."""
    names = ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", CACHE_ENV, "CLAUDE_USAGE_CONFIG")
    return [(n, env[n]) for n in names if env.get(n) and absolute(env.get(n)) is None]


def config_dir(env=None):
    """Claude Code's config dir: ``$CLAUDE_CONFIG_DIR`` or ``~/.claude``."""
    env = oslite.environ() if env is None else env
    raw = env.get("CLAUDE_CONFIG_DIR")
    base = raw if raw else oslite.join(_home(env), ".claude")
    return oslite.abspath(oslite.expanduser(base))


def cache_root(env=None):
    """``$CLAUDE_USAGE_CACHE_DIR``, else platformdirs' user cache dir for ``claude-usage``;
    inside a shared one, our own ``user-<uid>`` subfolder (``per_user``)."""
    env = oslite.environ() if env is None else env
    forced = absolute(env.get(CACHE_ENV))
    if forced:
        return per_user(oslite.abspath(forced))
    return per_user(_default_root(env))


SHARED_PREFIX = "user-"


def shared(root):
    """True when ``root`` is a shared sticky dir (like /tmp: writable by group or others, sticky,
    ours or root's). We never use such a dir itself, only our own subfolder in it. Any other dir
    others may write to, or another user's, is refused (``safefiles.trust_problem``)."""
    try:
        st = oslite.stat(root)
    except OSError:
        return False
    uid = oslite.geteuid() if hasattr(oslite, "geteuid") else None
    return bool(st.st_mode & 0o022) and bool(st.st_mode & 0o1000) and st.st_uid in (uid, 0)


def per_user(root):
    """``root``, or ``root/user-<uid>`` when ``root`` is shared: files there are ours only (it
    is created 0700; one of another user's in its place is refused, never used)."""
    if hasattr(oslite, "geteuid") and shared(root):
        return oslite.join(root, "%s%d" % (SHARED_PREFIX, oslite.geteuid()))
    return root


def _default_root(env):
    if sys.platform == "darwin":
        return oslite.join(_home(env), "Library", "Caches", APP)
    if sys.platform == "win32":  # pragma: no cover - speed matters less where there is no tmux
        import platformdirs

        return platformdirs.user_cache_dir(APP, appauthor=False)
    return oslite.join(xdg_home(env, "XDG_CACHE_HOME", ".cache"), APP)


def _home(env):
    return env.get("HOME") or oslite.expanduser("~")


def fnv1a64(text):
    """A stable 64-bit FNV-1a hash as 16 hex digits: names a cache dir, nothing secret."""
    h = 0xCBF29CE484222325
    try:
        data = text.encode("utf-8", "surrogateescape")  # a path's undecodable bytes, as they were
    except UnicodeEncodeError:  # a lone surrogate from outside (a JSON "\ud800" escape)
        data = text.encode("utf-8", "surrogatepass")
    for byte in data:
        h = ((h ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return "%016x" % h


def account_dir(root, cfg_dir, mode):
    """One directory per (Claude config dir, requested mode): two accounts never share one."""
    return oslite.join(root, "%s-%s" % (mode, fnv1a64(cfg_dir)))


def cred_sig(path):
    """``mtime_ns:size`` of a credentials file, or None: tells when Claude Code rewrote it."""
    try:
        st = oslite.stat(path)
    except OSError:
        return None
    return "%d:%d" % (st.st_mtime_ns, st.st_size)


def auth_sig(cfg_dir, env=None):
    """What an auth failure waits to see change: the credentials file's signature, and which
    Admin key the environment holds (8 hex digits of FNV-1a: tells keys apart, reveals nothing
    usable), so a fixed key or a fresh login ends the wait at the next call."""
    env = oslite.environ() if env is None else env
    sig = cred_sig(oslite.join(cfg_dir, ".credentials.json"))
    key = env.get("ANTHROPIC_ADMIN_API_KEY")
    if key:
        return "%s|k%s" % (sig or "-", fnv1a64(key.strip())[:8])
    return sig


def config_file(env=None):
    """``config.toml``'s path as ``statusline.cache.config.default_path`` computes it, without pathlib."""
    env = oslite.environ() if env is None else env
    explicit = absolute(env.get("CLAUDE_USAGE_CONFIG"))
    if explicit:
        return explicit
    return oslite.join(xdg_home(env, "XDG_CONFIG_HOME", ".config"), APP, "config.toml")
