"""One optional config file, ``$XDG_CONFIG_HOME/claude-usage/config.toml``, and where each value came from.

Every key is optional; the environment variables that already existed keep working and win
over the file. ``load`` returns a frozen :class:`Settings` that remembers, per key, whether
its value is the default, from the file, or from the environment (``claude-usage config``
prints that). The line's hot path never parses TOML: ``compile`` turns the settings into a
dict of plain values (marshal-safe) for the fetcher to keep in the cache, and ``signature``
(``mtime_ns:size``, like the credentials file's) tells when the file changed.

    # ~/.config/claude-usage/config.toml (every key optional)
    ttl = 30                # seconds between usage fetches (CLAUDE_USAGE_TTL)
    console_ttl = 300       # Console mode (CLAUDE_USAGE_CONSOLE_TTL)
    profile_ttl = 3600      # the profile (CLAUDE_USAGE_PROFILE_TTL)
    http_timeout = 8        # seconds (CLAUDE_USAGE_HTTP_TIMEOUT)
    glyphs = "emoji"        # emoji | plain | ascii (CLAUDE_USAGE_GLYPHS)
    email = "you@example.com"   # Console mode's user (CLAUDE_USAGE_EMAIL)

    [thresholds]            # percent: above warn yellow, above high orange, from crit red
    warn = 50
    high = 80
    crit = 100

    [line]                  # the names: core/items.py (docs/configuration.md)
    items = ["five_hour", "seven_day", "scoped", "extra", "reset", "console", "pace", "age",
             "status", "model", "context", "git"]
    rows = [["five_hour", "seven_day"], ["model", "context", "git"]]  # Claude Code: a row each
    numbers = "used"        # used | left: every window's share used or left (CLAUDE_USAGE_NUMBERS)
    context = "window"      # window: Claude Code's used_percentage | usable: share of auto-compact's point
    style = "plain"         # plain | powerline | chips (CLAUDE_USAGE_STYLE, --style)
    theme = "default"       # default | nord | gruvbox | dracula | mono (CLAUDE_USAGE_THEME, --theme)

    [notify]
    at = [80, 95]           # percents at which a window's crossing is worth a notification

    [sources]
    usage_api = true        # false: never call the OAuth endpoints (CLAUDE_USAGE_API=off); the
                            # line lives on Claude Code's input, ~/.claude.json and Pace Maker
    status = true           # false: never ask Anthropic's status page (CLAUDE_USAGE_STATUS=off)

    [tmux]                  # tmux styles per level (the plugin's @claude_usage_* options win)
    ok = "fg=colour22"
    warn = "fg=colour94"
    high = "fg=colour166"
    crit = "fg=colour160,bold"
    stale = "fg=colour244"
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from statusline.cache import fastpaths, safefiles
from statusline.core import items as item_names
from statusline.core.items import STYLES, THEMES

Origin = str  # "default" | "file" | "env"

GLYPH_SETS = ("emoji", "plain", "ascii")
LINE_ITEMS = item_names.NAMES
ROWS_MAX = 8  # rows of the Claude Code line: more is no status line
LEVELS = ("ok", "warn", "high", "crit", "stale")
MIN_TTL = 5.0
FILE_LIMIT = 1 << 20  # config.toml is a few hundred bytes; a bigger one is not ours to parse

ENV = {
    "ttl": "CLAUDE_USAGE_TTL",
    "console_ttl": "CLAUDE_USAGE_CONSOLE_TTL",
    "profile_ttl": "CLAUDE_USAGE_PROFILE_TTL",
    "http_timeout": "CLAUDE_USAGE_HTTP_TIMEOUT",
    "glyphs": "CLAUDE_USAGE_GLYPHS",
    "email": "CLAUDE_USAGE_EMAIL",
    "line.style": "CLAUDE_USAGE_STYLE",
    "line.theme": "CLAUDE_USAGE_THEME",
    "line.numbers": "CLAUDE_USAGE_NUMBERS",
    "sources.usage_api": "CLAUDE_USAGE_API",
    "sources.status": "CLAUDE_USAGE_STATUS",
}
BOOL_WORDS = {"on": True, "true": True, "yes": True, "1": True, "off": False, "false": False, "no": False, "0": False}


@dataclass(frozen=True)
class Thresholds:
    warn: float = 50.0
    high: float = 80.0
    crit: float = 100.0


@dataclass(frozen=True)
class Settings:
    """The effective settings; ``origins`` maps each dotted key to default, file or env."""

    ttl: float = 30.0
    console_ttl: float = 300.0
    profile_ttl: float = 3600.0
    http_timeout: float = 8.0
    glyphs: str = "emoji"
    email: str | None = None
    thresholds: Thresholds = Thresholds()
    line_items: tuple[str, ...] = item_names.DEFAULT
    line_rows: tuple[tuple[str, ...], ...] = ()  # none: one row of line_items
    line_numbers: str = "used"
    line_context: str = "window"
    line_style: str = "plain"
    line_theme: str = "default"
    notify_at: tuple[float, ...] = (80.0, 95.0)
    tmux: tuple[tuple[str, str], ...] = ()  # (level, tmux style) pairs, in LEVELS order
    usage_api: bool = True  # [sources] usage_api: False = no call to the OAuth endpoints at all
    status: bool = True  # [sources] status: False = no request to Anthropic's status page
    path: str = ""
    origins: tuple[tuple[str, Origin], ...] = ()
    problems: tuple[str, ...] = field(default=())
    fixes: tuple[str, ...] = field(default=())  # one per problem: how to correct it
    clamped: tuple[str, ...] = field(default=())  # values taken, but raised to their minimum

    def origin(self, key: str) -> Origin:
        return dict(self.origins).get(key, "default")

    def value(self, key: str) -> Any:
        """The value of a dotted key (``ttl``, ``thresholds.warn``, ``line.items``, ``tmux.ok``...)."""
        if key.startswith("thresholds."):
            return getattr(self.thresholds, key.split(".", 1)[1])
        if key.startswith("line."):
            return getattr(self, "line_" + key.split(".", 1)[1])
        if key == "notify.at":
            return self.notify_at
        if key.startswith("tmux."):
            return dict(self.tmux).get(key.split(".", 1)[1])
        if key.startswith("sources."):
            return getattr(self, key.split(".", 1)[1])
        return getattr(self, key)


LINE_KEYS = ("items", "rows", "numbers", "context", "style", "theme")
KEYS = ("ttl", "console_ttl", "profile_ttl", "http_timeout", "glyphs", "email",
        "thresholds.warn", "thresholds.high", "thresholds.crit", *(f"line.{k}" for k in LINE_KEYS), "notify.at",
        "sources.usage_api", "sources.status", *(f"tmux.{lvl}" for lvl in LEVELS))


# --- where -------------------------------------------------------------------------------------


def default_path(env: Mapping[str, str] | None = None) -> Path:
    """``CLAUDE_USAGE_CONFIG`` if set, else ``$XDG_CONFIG_HOME/claude-usage/config.toml``
    (``~/.config`` when XDG_CONFIG_HOME is unset or not absolute, as the spec says)."""
    return Path(fastpaths.config_file(os.environ if env is None else env))  # the hot path's own answer


def signature(path: os.PathLike[str] | str) -> str | None:
    """``mtime_ns:size`` of the file, None when it does not exist: a change is noticed cheaply
    (the same signature the line compares, ``fastpaths.cred_sig``)."""
    return fastpaths.cred_sig(os.fspath(path))


# --- reading -----------------------------------------------------------------------------------


def _toml_loads(text: str) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10 needs the tomli package
        import tomli as tomllib
    return tomllib.loads(text)


def read_file(path: Path) -> tuple[dict[str, Any], list[str]]:
    """The file's table and problems; a missing file is an empty table, not a problem."""
    try:
        if not path.exists():
            return {}, []
        if not path.is_file():
            return {}, [f"{path} is not a regular file; ignored"]
        text = safefiles.read_regular(str(path), FILE_LIMIT, follow=True).decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return {}, [f"cannot read {path}: {exc}"]
    try:
        return _toml_loads(text), []
    except ImportError:
        return {}, [f"cannot read {path}: install `tomli` (Python 3.10 has no TOML reader)"]
    except ValueError as exc:  # tomllib.TOMLDecodeError is a ValueError
        return {}, [f"{path} is not valid TOML ({exc}); using the defaults"]
    except (RecursionError, MemoryError):  # arrays or tables nested hundreds deep: no config of ours
        return {}, [f"{path} nests arrays or tables too deeply to read; using the defaults"]


def _seconds(value: Any, minimum: float = MIN_TTL) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    if not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        return None
    return max(minimum, float(value))


def _percent(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return float(value) if 0 <= value <= 1000 else None


def _unknown_fix(key: str, where: str) -> str:
    import difflib

    close = difflib.get_close_matches(key, KEYS, n=1, cutoff=0.6)
    if close:
        return f"did you mean {close[0]}? Rename it in {where}"
    return f"remove it from {where} (the keys are: {', '.join(KEYS)})"


def _flatten(table: dict[str, Any], problems: list[str], where: str,
             fixes: list[str] | None = None) -> dict[str, Any]:
    """The file's table as dotted keys; unknown keys and tables are reported, not fatal."""
    fixes = [] if fixes is None else fixes
    flat: dict[str, Any] = {}
    sections = {"thresholds": ("warn", "high", "crit"), "line": LINE_KEYS, "notify": ("at",),
                "tmux": LEVELS, "sources": ("usage_api", "status")}
    for key, value in table.items():
        if key in sections:
            if not isinstance(value, dict):
                problems.append(f"{where}: [{key}] must be a table")
                fixes.append(f"write it as a table: [{key}] on its own line, its keys below")
                continue
            for sub, v in value.items():
                if sub in sections[key]:
                    flat[f"{key}.{sub}"] = v
                else:
                    problems.append(f"{where}: unknown key {key}.{sub}")
                    fixes.append(_unknown_fix(f"{key}.{sub}", where))
        elif key in KEYS:
            flat[key] = value
        else:
            problems.append(f"{where}: unknown key {key}")
            fixes.append(_unknown_fix(key, where))
    return flat


def _convert(key: str, value: Any) -> tuple[bool, Any]:
    """(ok, value in the settings' own type) for one dotted key."""
    if key in ("ttl", "console_ttl", "profile_ttl"):
        v = _seconds(value)
        return v is not None, v
    if key == "http_timeout":
        v = _seconds(value, 0.2)
        return v is not None and v <= 60, v
    if key == "glyphs":
        return value in GLYPH_SETS, value
    if key == "email":
        ok = isinstance(value, str) and "@" in value and not any(c.isspace() or not c.isprintable()
                                                                 for c in value.strip())
        return ok, value.strip() if ok else None
    if key.startswith("thresholds."):
        v = _percent(value)
        return v is not None, v
    if key == "line.items":
        if isinstance(value, str):
            value = [w for w in value.replace(",", " ").split() if w]
        ok = (isinstance(value, list) and bool(value) and all(v in LINE_ITEMS for v in value)
              and len(set(value)) == len(value))
        return ok, tuple(value) if ok else None
    if key == "line.rows":
        if not isinstance(value, list) or not 0 < len(value) <= ROWS_MAX:
            return False, None
        rows = []
        for row in value:
            if isinstance(row, str):
                row = [w for w in row.replace(",", " ").split() if w]
            if not isinstance(row, list) or not row or not all(v in LINE_ITEMS for v in row):
                return False, None
            rows.append(tuple(row))
        names = [n for row in rows for n in row]
        return len(set(names)) == len(names), tuple(rows)
    if key == "line.numbers":
        return value in item_names.NUMBERS, value
    if key == "line.context":
        return value in item_names.CONTEXT, value
    if key == "line.style":
        return value in STYLES, value
    if key == "line.theme":
        return value in THEMES, value
    if key == "notify.at":
        if isinstance(value, str):
            value = [w for w in value.replace(",", " ").split() if w]
            try:
                value = [float(w) for w in value]
            except ValueError:
                return False, None
        vals = [_percent(v) for v in value] if isinstance(value, list) else [None]
        ok = all(v is not None for v in vals)
        return ok, tuple(sorted({v for v in vals if v is not None})) if ok else None
    if key in ("sources.usage_api", "sources.status"):
        if isinstance(value, str):
            value = BOOL_WORDS.get(value.strip().lower())
        return isinstance(value, bool), value
    if key.startswith("tmux."):
        ok = isinstance(value, str) and len(value) <= 200 and all(c.isprintable() and c not in "#[]" for c in value)
        return ok, value if ok else None
    return False, None


def _expected(key: str) -> str:
    if key in ("ttl", "console_ttl", "profile_ttl"):
        return "a number of seconds"
    if key == "http_timeout":
        return "a number of seconds up to 60"
    if key == "glyphs":
        return " | ".join(GLYPH_SETS)
    if key == "email":
        return "an email address"
    if key.startswith("thresholds.") or key == "notify.at":
        return "a percent from 0 to 1000" if key.startswith("thresholds.") else "a list of percents from 0 to 1000"
    if key.startswith("sources."):
        return "true or false (on/off)"
    if key == "line.items":
        return "a list of distinct items from " + ", ".join(LINE_ITEMS)
    if key == "line.rows":
        return f"a list of up to {ROWS_MAX} rows, each a list of items, no item twice (the items: see line.items)"
    if key == "line.numbers":
        return " | ".join(item_names.NUMBERS)
    if key == "line.context":
        return " | ".join(item_names.CONTEXT)
    if key == "line.style":
        return " | ".join(STYLES)
    if key == "line.theme":
        return " | ".join(THEMES)
    return "a tmux style such as \"fg=colour34,bold\" (no #, [ or ])"


def load(path: os.PathLike[str] | str | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """The effective settings: defaults, then the file, then the environment. Never raises."""
    env = os.environ if env is None else env
    p = Path(path) if path is not None else default_path(env)
    table, file_problems = read_file(p)
    return _settle(table, file_problems, p, env)


def parse(text: str, path: os.PathLike[str] | str, env: Mapping[str, str] | None = None) -> Settings:
    """The settings a config.toml text would give, before it is written (``claude-usage configure``
    previews and checks what it would save by the very rules ``load`` reads it with). ``env``
    defaults to none at all: the file's own settings. Never raises."""
    p = Path(path)
    try:
        table, problems = _toml_loads(text), []
    except ValueError as exc:
        table, problems = {}, [f"{p} is not valid TOML ({exc}); using the defaults"]
    except (RecursionError, MemoryError):
        table, problems = {}, [f"{p} nests arrays or tables too deeply to read; using the defaults"]
    return _settle(table, problems, p, {} if env is None else env)


def check(key: str, value: Any) -> Any:
    """``value`` for the dotted ``key`` in the settings' own type, or ``ValueError`` saying what
    is expected: the rule a value in config.toml is held to, for a writer of the file."""
    ok, v = _convert(key, value)
    if not ok:
        raise ValueError(f"{key} must be {_expected(key)}")
    return v


def rising(warn: float, high: float, crit: float) -> bool:
    """The thresholds' one rule across keys: warn < high < crit (else the defaults are used)."""
    return warn < high < crit


def _settle(table: dict[str, Any], file_problems: list[str], p: Path, env: Mapping[str, str]) -> Settings:
    """The settings from a file's table (already read) and the environment."""
    problems: list[str] = []
    fixes: list[str] = []
    clamped: list[str] = []
    problems += file_problems
    fixes += [f"correct {p} (it must be a readable TOML file), or remove it" for _ in file_problems]
    values: dict[str, Any] = {}
    origins: dict[str, Origin] = {}

    def take(key: str, raw: Any, origin: Origin, said: str, bad: str, fix: str) -> None:
        """One value from the file or the environment, held to the same rule either way."""
        ok, v = _convert(key, raw)
        if ok:
            values[key], origins[key] = v, origin
            clamped.extend(_clamp_note(key, raw, v, said))
        else:
            problems.append(f"{bad} is not {_expected(key)}; ignored")
            fixes.append(fix)

    for key, raw in _flatten(table, problems, str(p), fixes).items():
        said = f"{p}: {key} = {raw!r}"
        take(key, raw, "file", said, said, f"set {key} to {_expected(key)} in {p}, or remove the line")
    for key, name in ENV.items():
        raw = env.get(name)
        if raw is not None and raw != "":
            take(key, raw, "env", f"{name}={raw}", f"{name}={raw!r}", f"unset {name}, or set it to {_expected(key)}")

    base = Settings()
    th = base.thresholds
    warn = values.get("thresholds.warn", th.warn)
    high = values.get("thresholds.high", th.high)
    crit = values.get("thresholds.crit", th.crit)
    if not rising(warn, high, crit):
        problems.append(f"thresholds must rise: warn {warn:g} < high {high:g} < crit {crit:g}; "
                        "using the defaults")
        fixes.append(f"in {p}, make [thresholds] warn < high < crit (the defaults are 50, 80, 100)")
        warn, high, crit = th.warn, th.high, th.crit
        for k in ("thresholds.warn", "thresholds.high", "thresholds.crit"):
            origins.pop(k, None)
    tmux = tuple((lvl, values[f"tmux.{lvl}"]) for lvl in LEVELS if f"tmux.{lvl}" in values)
    return Settings(
        ttl=values.get("ttl", base.ttl),
        console_ttl=values.get("console_ttl", base.console_ttl),
        profile_ttl=values.get("profile_ttl", base.profile_ttl),
        http_timeout=values.get("http_timeout", base.http_timeout),
        glyphs=values.get("glyphs", base.glyphs),
        email=values.get("email", base.email),
        thresholds=Thresholds(warn, high, crit),
        line_items=values.get("line.items", base.line_items),
        line_rows=values.get("line.rows", base.line_rows),
        line_numbers=values.get("line.numbers", base.line_numbers),
        line_context=values.get("line.context", base.line_context),
        line_style=values.get("line.style", base.line_style),
        line_theme=values.get("line.theme", base.line_theme),
        notify_at=values.get("notify.at", base.notify_at),
        tmux=tmux,
        usage_api=values.get("sources.usage_api", base.usage_api),
        status=values.get("sources.status", base.status),
        path=str(p),
        origins=tuple(sorted(origins.items())),
        problems=tuple(problems),
        fixes=tuple(fixes),
        clamped=tuple(clamped),
    )


def _clamp_note(key: str, raw: Any, value: Any, said: str) -> list[str]:
    """A sentence when a value was taken but raised to its minimum (``ttl = 1`` is used as 5)."""
    try:
        given = float(raw.strip()) if isinstance(raw, str) else float(raw)
    except (TypeError, ValueError):
        return []
    if isinstance(value, float) and given < value:
        return [f"{said} is below the minimum of {value:g} seconds; {value:g} is used"]
    return []


# --- for the hot path --------------------------------------------------------------------------


def compile(settings: Settings) -> dict[str, Any]:  # noqa: A001 - the name the design asks for
    """Plain values (str, float, tuple, dict, None: marshal-safe) for the cache's line view."""
    th = settings.thresholds
    return {
        "sig": signature(settings.path) if settings.path else None,
        "ttl": settings.ttl,
        "console_ttl": settings.console_ttl,
        "profile_ttl": settings.profile_ttl,
        "http_timeout": settings.http_timeout,
        "glyphs": settings.glyphs,
        "thresholds": (th.warn, th.high, th.crit),
        "items": tuple(settings.line_items),
        "rows": tuple(settings.line_rows),
        "numbers": settings.line_numbers,
        "context": settings.line_context,
        "style": settings.line_style,
        "theme": settings.line_theme,
        "notify_at": tuple(settings.notify_at),
        "tmux": dict(settings.tmux),
    }


def line_config(settings: Settings) -> dict[str, Any]:
    """What the line's hot path needs, for the view: ``compile`` less what only the fetcher uses,
    with ``glyphs`` and ``notify_at`` only when the user set them (the defaults differ per
    target, and notifications are opt-in)."""
    c = compile(settings)
    out = {k: c[k] for k in ("sig", "thresholds", "items", "rows", "numbers", "context", "tmux")}
    for key in ("style", "theme"):  # only when set, as glyphs
        if settings.origin(f"line.{key}") != "default":
            out[key] = c[key]
    if settings.origin("glyphs") != "default":
        out["glyphs"] = c["glyphs"]
    if settings.origin("notify.at") != "default":
        out["notify_at"] = c["notify_at"]
    return out
