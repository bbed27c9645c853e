"""A read-only view of Claude Pace Maker: is it on, is it throttling, how far off pace are we.

Pace-maker keeps ``config.json`` and a SQLite ``usage.db`` in its directory. We only read
them, and we recompute its pacing target ourselves (the formulas are small and pure) so the
target and deviation can use whichever usage numbers are freshest: pace-maker's own or ours.
Nothing here raises: every failure becomes ``PaceMakerState.problem``.

Opening the database without writing a byte in that directory takes care. Measured with
SQLite 3.40: a plain ``mode=ro`` connection to a WAL-mode database whose ``-wal``/``-shm``
are absent *creates* both files (and leaves them behind), and with a live writer it sets a
read-mark inside ``-shm``. So:

- rollback-journal database: ``mode=ro`` (shared locks only; a writer's lock gives
  "database is locked" after 0.2 s);
- WAL database: ``mode=ro&immutable=1``, which creates nothing and locks nothing. Pace-maker's
  hooks are short-lived processes and SQLite checkpoints the WAL into ``usage.db`` when the
  last connection closes, so the main file holds everything but an in-flight transaction.
  The cost: commits still sitting in a ``-wal`` (mid-write, or a long-lived connection) are
  not seen until checkpointed. The risk: reading pages while a checkpoint rewrites them; we
  compare ``usage.db``'s size and mtime before and after, retry once, then report "unreadable".

"Latest row" means the max ``timestamp`` among the 50 most recently inserted rows, so a read
stays O(1) on big tables without a timestamp index.
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import tzinfo
from pathlib import Path
from typing import Any, Literal, TypeVar
from urllib.parse import quote

from statusline.cache import safefiles
from statusline.core.forecast import weekday_seconds
from statusline.core.model import parse_iso

CONFIG_LIMIT = 1 << 20  # Pace Maker's config.json is a few hundred bytes

FIVE_HOURS = 5 * 3600
SEVEN_DAYS = 7 * 86400
STALE_AFTER = 300  # a window whose reset is more than 5 minutes past is over
# Pace Maker decides on every tool use: a decision older than this was taken in a session that
# has since gone quiet, so it says nothing about now (shown as idle, with its age).
DECISION_MAX_AGE = 600.0
DELAY_MAX_S = 3600.0  # a delay per tool use beyond an hour is no real Pace Maker decision
STRATEGIES = ("none", "minimal", "gradual", "aggressive", "emergency")

WindowName = Literal["5h", "7d"]
Level = Literal["ok", "warn", "crit", "stale"]


@dataclass(frozen=True)
class UsageInput:
    """Usage numbers as one source saw them at ``fetched_at`` (all times epoch seconds)."""

    fetched_at: float
    five_hour_util: float | None = None
    five_hour_resets_at: float | None = None
    seven_day_util: float | None = None
    seven_day_resets_at: float | None = None


@dataclass(frozen=True)
class PaceMakerState:
    """What the renderers show; ``problem`` is short human text when something is off."""

    installed: bool = False
    enabled: bool = False
    throttling: bool = False
    delay_seconds: int | None = None  # only while throttling
    constrained_window: WindowName | None = None
    target: float | None = None  # percent of the constrained window
    utilization: float | None = None  # of the constrained window
    deviation: float | None = None  # utilization - target, percent points
    algorithm: Literal["adaptive", "legacy"] = "legacy"
    strategy: str | None = None
    tempo: bool | None = None
    problem: str | None = None
    idle: bool = False  # the last decision is older than DECISION_MAX_AGE: not throttling now
    decided_at: float | None = None  # epoch seconds of the last pacing decision

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)  # every field is plain JSON

    @classmethod
    def from_dict(cls, d: Any) -> PaceMakerState:
        """Tolerant reader: wrong or missing values fall back to the defaults."""
        if not isinstance(d, dict):
            return cls()
        delay = _delay(d.get("delay_seconds"))
        window = d.get("constrained_window")
        return cls(
            installed=d.get("installed") is True,
            enabled=d.get("enabled") is True,
            throttling=d.get("throttling") is True,
            delay_seconds=None if delay is None else int(delay),
            constrained_window=window if window in ("5h", "7d") else None,
            target=_num(d.get("target")),
            utilization=_num(d.get("utilization")),
            deviation=_num(d.get("deviation")),
            algorithm="adaptive" if d.get("algorithm") == "adaptive" else "legacy",
            strategy=d.get("strategy") if isinstance(d.get("strategy"), str) else None,
            tempo=d.get("tempo") if isinstance(d.get("tempo"), bool) else None,
            problem=d.get("problem") if isinstance(d.get("problem"), str) else None,
            idle=d.get("idle") is True,
            decided_at=_num(d.get("decided_at")),
        )


def _delay(value: Any) -> float | None:
    """A delay in [0, DELAY_MAX_S] seconds, else None (1e300 from a broken state is no delay)."""
    v = _num(value)
    return v if v is not None and 0 <= v <= DELAY_MAX_S else None


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return float(value)


# --- pacing targets (pure) ---------------------------------------------------------------


def is_stale(resets_at: float, now: float) -> bool:
    return now - resets_at > STALE_AFTER


def decision_is_current(decided_at: float | None, now: float, max_age: float = DECISION_MAX_AGE) -> bool:
    """A decision counts only while it is recent (a little clock skew into the future is fine)."""
    return decided_at is not None and -max_age < now - decided_at <= max_age


def five_hour_target(resets_at: float, now: float) -> float:
    """10 % for the first half hour (a free start), then linear over the 5 hours."""
    elapsed = now - (resets_at - FIVE_HOURS)
    if elapsed < 1800:
        return 10.0
    return min(100.0, elapsed / FIVE_HOURS * 100)




def seven_day_target(
    resets_at: float, now: float, preload_hours: float = 12.0, tz: tzinfo | None = None
) -> float:
    """Weekday-only linear pace (frozen over weekends), with a flat preload at the start."""
    start = resets_at - SEVEN_DAYS
    now = min(max(now, start), resets_at)
    total = weekday_seconds(start, resets_at, tz)
    if total <= 0:
        return 0.0
    elapsed = weekday_seconds(start, now, tz)
    preload = max(0.0, preload_hours) * 3600
    return min(100.0, max(elapsed, preload) / total * 100)


def pace(
    usage: UsageInput,
    now: float,
    five_hour: bool = True,
    seven_day: bool = True,
    preload_hours: float = 12.0,
    tz: tzinfo | None = None,
) -> tuple[WindowName, float, float, float] | None:
    """(window, target, utilization, deviation) of the most constrained live window."""
    found: list[tuple[WindowName, float, float, float]] = []
    u, r = usage.five_hour_util, usage.five_hour_resets_at
    if five_hour and u is not None and r is not None and not is_stale(r, now):
        t = five_hour_target(r, now)
        found.append(("5h", t, u, u - t))
    u, r = usage.seven_day_util, usage.seven_day_resets_at
    if seven_day and u is not None and r is not None and not is_stale(r, now):
        t = seven_day_target(r, now, preload_hours, tz)
        found.append(("7d", t, u, u - t))
    return max(found, key=lambda w: w[3]) if found else None  # max keeps the first: 5h wins ties


# --- config --------------------------------------------------------------------------------


def _algorithm(cfg: dict[str, Any]) -> tuple[Literal["adaptive", "legacy"], str | None]:
    """Explicit ``algorithm``/``pacing_algorithm`` wins; else a known strategy means adaptive.

    The strategy comes from ``strategy`` or ``adaptive_strategy`` and must be one of
    STRATEGIES; anything else is ignored. No hint at all means "legacy".
    """
    algo = cfg.get("algorithm", cfg.get("pacing_algorithm"))
    algo = algo.strip().lower() if isinstance(algo, str) else None
    strategy = cfg.get("strategy", cfg.get("adaptive_strategy"))
    strategy = strategy.strip().lower() if isinstance(strategy, str) else None
    strategy = strategy if strategy in STRATEGIES else None
    if algo == "legacy":
        return "legacy", None
    if algo == "adaptive" or strategy is not None:
        return "adaptive", strategy
    return "legacy", None


def _tempo(cfg: dict[str, Any]) -> bool | None:
    mode = cfg.get("tempo_mode")
    if isinstance(mode, str) and mode.strip().lower() in ("auto", "on", "off"):
        return mode.strip().lower() != "off"
    legacy = cfg.get("tempo_enabled")
    return legacy if isinstance(legacy, bool) else None


def _flag(cfg: dict[str, Any], key: str, default: bool) -> bool:
    value = cfg.get(key)
    return value if isinstance(value, bool) else default


# --- database ------------------------------------------------------------------------------


def _epoch(value: Any) -> float | None:
    """Timestamps and resets: epoch numbers (ms tolerated) or ISO text, naive taken as UTC."""
    n = _num(value)
    if n is None:
        dt = parse_iso(value)
        return dt.timestamp() if dt else None
    n = n / 1000 if n > 1e11 else n
    return n if 0 < n < 1e11 else None


def _usage_row(row: dict[str, Any] | None) -> UsageInput | None:
    fetched = _epoch(row.get("timestamp")) if row else None
    if row is None or fetched is None:
        return None
    return UsageInput(
        fetched_at=fetched,
        five_hour_util=_num(row.get("five_hour_util")),
        five_hour_resets_at=_epoch(row.get("five_hour_resets_at")),
        seven_day_util=_num(row.get("seven_day_util")),
        seven_day_resets_at=_epoch(row.get("seven_day_resets_at")),
    )


def _latest(conn: sqlite3.Connection, tables: set[str], table: str) -> dict[str, Any] | None:
    """The max-timestamp row among the 50 last inserted: O(1) even with no timestamp index."""
    if table not in tables:
        return None
    recent = f"SELECT * FROM {table} ORDER BY rowid DESC LIMIT 50"
    cur = conn.execute(f"SELECT * FROM ({recent}) ORDER BY timestamp DESC LIMIT 1")
    row = cur.fetchone()
    return None if row is None else dict(zip((c[0] for c in cur.description), row, strict=True))


def _query(conn: sqlite3.Connection) -> tuple[list[UsageInput], dict[str, Any] | None]:
    tables = tables_of(conn)
    rows = [_usage_row(_latest(conn, tables, t)) for t in ("api_cache", "usage_snapshots")]
    return [r for r in rows if r], _latest(conn, tables, "pacing_decisions")


def tables_of(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def _signature(path: Path) -> tuple[int, int]:
    st = os.stat(path)
    return st.st_mtime_ns, st.st_size


Q = TypeVar("Q")


def query_db(path: Path, query: Callable[[sqlite3.Connection], Q], empty: Q) -> Q:
    """Run ``query`` on a read-only connection that writes nothing (see the module doc);
    ``empty`` for a database file that was created but never written. Raises OSError/sqlite3.Error."""
    head = safefiles.read_head(str(path), 100)  # a FIFO in its place would hang us
    if not head:
        return empty
    if len(head) < 100 or not head.startswith(b"SQLite format 3\x00"):
        raise sqlite3.DatabaseError("not a database")
    wal = 2 in (head[18], head[19])
    uri = f"file:{quote(str(path))}?mode=ro" + ("&immutable=1" if wal else "")
    for _ in range(2):
        before = _signature(path)
        conn = sqlite3.connect(uri, uri=True, timeout=0.2)
        try:
            result = query(conn)
        finally:
            conn.close()
        if not wal or _signature(path) == before:
            return result
    raise sqlite3.OperationalError("database changing")


def read_db(path: Path) -> tuple[list[UsageInput], dict[str, Any] | None]:
    """Newest usage rows and the last pacing decision; raises OSError/sqlite3.Error."""
    empty: tuple[list[UsageInput], dict[str, Any] | None] = ([], None)
    return query_db(path, _query, empty)


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text if len(text) <= 60 else text[:57] + "..."


# --- the reader ----------------------------------------------------------------------------


def read_pace_maker(
    directory: Path, now: float, usage: UsageInput | None = None, tz: tzinfo | None = None
) -> PaceMakerState:
    """Pace-maker's state at ``now``; ``usage`` is our own freshest numbers, if any."""
    try:
        return _read(Path(directory), now, usage, tz)
    except Exception as exc:  # a last net: the status line must never die here
        return PaceMakerState(installed=True, problem=f"unreadable: {_short(exc)}")


def _read(
    directory: Path, now: float, usage: UsageInput | None, tz: tzinfo | None
) -> PaceMakerState:
    config = directory / "config.json"
    if not directory.is_dir() or not config.is_file():
        return PaceMakerState()
    try:
        cfg = json.loads(safefiles.read_regular(str(config), CONFIG_LIMIT, follow=True).decode("utf-8"))
    except (OSError, ValueError):
        cfg = None
    if not isinstance(cfg, dict):
        return PaceMakerState(installed=True, problem="config unreadable")
    algorithm, strategy = _algorithm(cfg)
    base = PaceMakerState(
        installed=True, enabled=cfg.get("enabled") is True,
        algorithm=algorithm, strategy=strategy, tempo=_tempo(cfg),
    )
    if not base.enabled:
        return base

    rows: list[UsageInput] = []
    decision: dict[str, Any] | None = None
    problem: str | None = None
    db = directory / "usage.db"
    if db.is_file():
        try:
            rows, decision = read_db(db)
        except (OSError, sqlite3.Error) as exc:
            problem = f"unreadable: {_short(exc)}"
    if usage is not None:
        rows.append(usage)  # last: max() keeps the first, so pace-maker wins a tie
    newest = max(rows, key=lambda r: r.fetched_at, default=None)
    if newest is None and problem is None:
        problem = "no usage data yet"

    preload = _num(cfg.get("preload_hours"))
    picked = None if newest is None else pace(
        newest, now,
        five_hour=_flag(cfg, "five_hour_limit_enabled", True),
        seven_day=_flag(cfg, "weekly_limit_enabled", True),
        preload_hours=12.0 if preload is None else preload,
        tz=tz,
    )
    decided_at = _epoch(decision.get("timestamp")) if decision else None
    current = decision_is_current(decided_at, now)  # no timestamp: not current either
    throttling = current and decision is not None and _num(decision.get("should_throttle")) == 1
    delay = _delay(decision.get("delay_seconds")) if throttling and decision else None
    window, target, util, deviation = picked or (None, None, None, None)
    return PaceMakerState(
        installed=True, enabled=True, throttling=throttling,
        delay_seconds=None if delay is None else int(delay),
        constrained_window=window, target=target, utilization=util, deviation=deviation,
        algorithm=algorithm, strategy=strategy, tempo=base.tempo, problem=problem,
        idle=decided_at is not None and not current, decided_at=decided_at,
    )
