"""``claude-usage check EXPR…``: ask the cache a yes/no question, for scripts and hooks.

    claude-usage check '5h<90' '7d<=80'      utilization of a window, in percent
    claude-usage check 'any<95'              every rate-limit window (5h, 7d, per-model weekly)
    claude-usage check 'opus<90'             a per-model weekly window, by model name
    claude-usage check 'eta5h>30m'           time until the window reaches 100 % at its current
                                             rate; infinite when it will not before its reset
    claude-usage check 'rate5h<20'           burn rate in percentage points per hour

Operators ``< <= > >= == !=`` (``=`` means ``==``); durations ``90s``, ``30m``, ``2h``,
``1d``, ``1h30m`` (a bare number is minutes); percentages may carry ``%``.

Exit status: 0 when every expression holds; 1 when one does not (each failing one is printed
unless ``--quiet``); 2 for a bad expression, no data, or data older than ``--max-age``
(default 10m). Reads the cache (``snapshot.json`` and the history) and never the network.
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any

from statusline.cache import cache_view, history, lineview, store
from statusline.cache.paths import Paths
from statusline.core import forecast

DEFAULT_MAX_AGE = 600.0
OPS = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b,
       ">=": lambda a, b: a >= b, "==": lambda a, b: a == b, "!=": lambda a, b: a != b}
ALIASES = {"5h": "five_hour", "five_hour": "five_hour", "7d": "seven_day", "seven_day": "seven_day"}
# Each piece checked against one character class (linear in the text's length: no pattern here
# can backtrack, so a long argument costs microseconds, not seconds).
NAME_CHARS = re.compile(r"[A-Za-z0-9_.\- ]+")
VALUE_CHARS = re.compile(r"[0-9hmsdHMSD.%\s]+")
UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


class BadExpression(ValueError):
    pass


@dataclass(frozen=True)
class Expr:
    text: str
    measure: str  # "util" | "eta" | "rate"
    window: str  # "five_hour", "seven_day", "any" or a model name (lower case)
    op: str
    value: float


def parse_duration(text: str) -> float:
    """Seconds of ``90s``, ``30m``, ``2h``, ``1d``, ``1h30m``; a bare number is minutes."""
    t = text.strip().lower().replace(" ", "")
    if not t:
        raise BadExpression("empty duration")
    try:
        return float(t) * 60.0
    except ValueError:
        pass
    parts = re.findall(r"(\d+(?:\.\d+)?)([smhd])", t)
    if not parts or "".join(n + u for n, u in parts) != t:
        raise BadExpression(f"bad duration {text!r} (use e.g. 90s, 30m, 2h, 1d)")
    return sum(float(n) * UNITS[u] for n, u in parts)


def _split(text: str) -> tuple[str, str, str, str] | None:
    """(measure, name, operator, value) of ``[eta|rate]NAME OP VALUE``, or None: one pass."""
    at = next((i for i, ch in enumerate(text) if ch in "<>=!"), -1)
    if at < 0:
        return None
    op = text[at:at + 2] if text[at:at + 2] in ("<=", ">=", "==", "!=") else text[at]
    if op == "!":
        return None
    left, right = text[:at].strip(), text[at + len(op):].strip()
    if not NAME_CHARS.fullmatch(left) or not VALUE_CHARS.fullmatch(right):
        return None
    measure = ""
    for word in ("eta", "rate"):
        if left.startswith(word) and left[len(word):].strip():
            measure, left = word, left[len(word):].strip()
            break
    return measure, left, op, right


def parse(text: str) -> Expr:
    parts = _split(text)
    if parts is None:
        raise BadExpression(f"bad expression {text!r} (e.g. 5h<90, any<95, eta5h>30m)")
    measure = parts[0] or "util"
    name = parts[1].lower()
    window = ALIASES.get(name, name)
    op = "==" if parts[2] == "=" else parts[2]
    raw = parts[3]
    if measure == "eta":
        value = parse_duration(raw)
    else:
        try:
            value = float(raw.rstrip("%").strip())
        except ValueError:
            raise BadExpression(f"bad number {raw!r} in {text!r}") from None
    if measure in ("eta", "rate") and window not in ("five_hour", "seven_day", "any"):
        raise BadExpression(f"{measure} is known for 5h, 7d and any, not {name!r}")
    return Expr(text.strip(), measure, window, op, value)


def current(windows: Sequence[Sequence[Any]], now: float) -> list[tuple[str, str | None, float, float | None]]:
    """Windows as they stand now: one whose reset has passed is at 0 (its old number no longer holds)."""
    out = []
    for w in windows:  # (key, name, util, resets) or a full reading: (…, observed_at, source)
        key, name, util, resets = w[0], w[1], w[2], w[3]
        if key in ("extra", "spend"):
            continue
        out.append((key, name, 0.0 if resets is not None and resets <= now else float(util), resets))
    return out


def values(e: Expr, windows: Sequence[tuple[str, str | None, float, float | None]],
           forecasts: Mapping[str, forecast.Forecast | None], now: float) -> list[tuple[str, float]]:
    """(label, value) pairs the expression is judged on; all must satisfy it."""
    if e.measure == "util":
        if e.window == "any":
            return [(_label(k, n), u) for k, n, u, _ in windows]
        if e.window in ("five_hour", "seven_day"):
            return [(_label(k, n), u) for k, n, u, _ in windows if k == e.window]
        return [(_label(k, n), u) for k, n, u, _ in windows if k == "scoped" and (n or "").lower() == e.window]
    keys = ("five_hour", "seven_day") if e.window == "any" else (e.window,)
    out = []
    for k in keys:
        f = forecasts.get(k)
        if f is None or (f.rate_per_hour is None and f.utilization < 100):
            continue  # not enough history yet: unknown, not "fine"
        if e.measure == "rate":
            if f.rate_per_hour is not None:
                out.append((f"rate{_label(k, None)}", f.rate_per_hour))
        else:
            left = max(0.0, f.eta - now) if f.hits_limit_before_reset and f.eta is not None else math.inf
            out.append((f"eta{_label(k, None)}", left))
    return out


def _label(key: str, name: str | None) -> str:
    return {"five_hour": "5h", "seven_day": "7d"}.get(key, name or key)


def _show(e: Expr, v: float) -> str:
    if e.measure == "eta":
        if math.isinf(v):
            return "never (not on course to reach 100% before the reset)"
        from statusline.render.segments import duration

        return duration(v, " ")
    if e.measure == "rate":
        return f"{v:.1f}%/h"
    return f"{v:g}%"


def evaluate(exprs: Sequence[Expr], windows: Sequence[tuple[str, str | None, float, float | None]],
             forecasts: Mapping[str, forecast.Forecast | None], now: float) -> tuple[list[str], list[str]]:
    """(failures, missing): texts for expressions that do not hold / have no data."""
    failures, missing = [], []
    models = sorted({(n or "").lower() for k, n, _, _ in windows if k == "scoped" and n})
    for e in exprs:
        got = values(e, windows, forecasts, now)
        if not got and e.measure == "util" and e.window not in ("any", "five_hour", "seven_day") \
                and e.window not in models:
            names = ", ".join(["5h", "7d", "any", *models])
            missing.append(f"{e.text}: unknown window {e.window!r} (no data for it in the cache); "
                           f"the windows are {names}")
            continue
        if not got:
            missing.append(f"{e.text}: no data for that window")
            continue
        for label, v in got:
            if not OPS[e.op](v, e.value):
                failures.append(f"{e.text} does not hold: {label} is {_show(e, v)}")
                break
    return failures, missing


def _no_data_advice(paths: Paths, mode: str, snap: Any, env: Mapping[str, str] | None) -> str:
    """What to do about an empty cache: log in when there is nothing to fetch with, else refresh."""
    import os

    from statusline.sources import credentials

    err = snap.last_error if snap is not None else None
    creds = credentials.load(paths, os.environ if env is None else env)
    chosen = credentials.resolve_mode(mode, creds)
    usable = (chosen == "code" and creds.oauth) or (chosen == "console" and creds.admin_key)
    if (err is not None and err.kind == "no_credentials") or not usable:
        if chosen == "console":
            return "no Admin API key: export ANTHROPIC_ADMIN_API_KEY=sk-ant-admin..."
        return "no login found: run `claude` and log in, or set ANTHROPIC_ADMIN_API_KEY for Console mode"
    return "run `claude-usage refresh`"


def run(paths: Paths, mode: str, texts: Sequence[str], *, max_age: str | None = None, quiet: bool = False,
        now: float | None = None, env: Mapping[str, str] | None = None, out: IO[str] | None = None,
        err: IO[str] | None = None) -> int:
    import time

    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    now = time.time() if now is None else now
    try:
        exprs = [parse(t) for t in texts]
        limit = DEFAULT_MAX_AGE if max_age is None else parse_duration(max_age)
    except BadExpression as exc:
        print(f"claude-usage check: {exc}", file=err)
        return 2
    if not exprs:
        print("claude-usage check: no expression given (e.g. 5h<90)", file=err)
        return 2
    acct = paths.account_dir(mode)
    snap, problem = store.load_snapshot(acct)
    fetched = snap.data_fetched_at() if snap else None
    if snap is None or fetched is None or snap.usage is None:
        print(f"claude-usage check: no usage data in the cache{': ' + problem if problem else ''}"
              f" ({_no_data_advice(paths, mode, snap, env)})", file=err)
        return 2
    age = now - fetched.timestamp()
    if age > limit:
        print(f"claude-usage check: the cached data is {int(age)}s old (more than --max-age {int(limit)}s);"
              " run `claude-usage refresh`", file=err)
        return 2
    wins = current(lineview.windows(snap), now)
    forecasts: Mapping[str, forecast.Forecast | None] = {}
    if any(e.measure != "util" for e in exprs):
        samples = history.load(cache_view.history_dir(str(acct)), since=now - forecast.LOOKBACK_S - 60)
        forecasts = forecast.for_windows(samples, [w for w in wins if w[0] in forecast.VIEW_KEYS], now, env,
                                         fetched.timestamp())
    failures, missing = evaluate(exprs, wins, forecasts, now)
    if missing:
        for m in missing:
            print(f"claude-usage check: {m}", file=err)
        return 2
    if failures:
        if not quiet:
            for f in failures:
                print(f, file=out)
        return 1
    return 0
