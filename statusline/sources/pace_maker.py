"""Claude Pace Maker's rows as readings, and its backoff, read-only.

Pace Maker polls the same usage endpoint with the same token and keeps what it got in
``usage.db`` (``api_cache``, ``usage_snapshots``): free readings for us, as old as their
``timestamp``. While its ``backoff_state.backoff_until`` lies ahead, the token is rate-limited
for every client, us included, so we do not call either.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from statusline.core import clean
from statusline.sources import pace_maker_state


@dataclass(frozen=True)
class PaceMakerReadings:
    readings: tuple[tuple[Any, ...], ...] = ()
    backoff_until: float | None = None


def _backoff(conn: sqlite3.Connection) -> float | None:
    if "backoff_state" not in pace_maker_state.tables_of(conn):
        return None
    row = conn.execute("SELECT backoff_until FROM backoff_state ORDER BY rowid DESC LIMIT 1").fetchone()
    return clean.epoch(row[0]) if row else None


def _rows(conn: sqlite3.Connection) -> tuple[list[pace_maker_state.UsageInput], float | None]:
    rows, _ = pace_maker_state._query(conn)
    return rows, _backoff(conn)


def readings(pm_dir: Path, now: float) -> PaceMakerReadings:
    """Pace Maker's newest usage rows as readings; nothing when it is absent or unreadable."""
    db = pm_dir / "usage.db"
    if not (pm_dir / "config.json").is_file() or not db.is_file():
        return PaceMakerReadings()
    try:
        empty: tuple[list[pace_maker_state.UsageInput], float | None] = ([], None)
        rows, backoff = pace_maker_state.query_db(db, _rows, empty)
    except (OSError, sqlite3.Error, ValueError):
        return PaceMakerReadings()
    out = []
    for row in rows:
        seen = clean.epoch(row.fetched_at)
        if seen is None or seen > now + 300:
            continue
        for key, util, resets in (("five_hour", row.five_hour_util, row.five_hour_resets_at),
                                  ("seven_day", row.seven_day_util, row.seven_day_resets_at)):
            pct = clean.percent(util)
            at = clean.epoch(resets) if resets is not None else None
            if pct is None or (at is None and pct == 0.0):
                continue
            out.append((key, None, pct, at, seen, "pace-maker"))
    return PaceMakerReadings(tuple(out), backoff)
