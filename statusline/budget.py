"""How often the usage endpoint will take a call from us: learned, kept, shared. Pure functions.

The endpoint rate-limits hard, per token (about one call per 5 minutes in 2026), and a call
inside a refused window may restart it. A fixed TTL meets a 429 after every success; so the
spacing the server accepts is learned from its 429s and kept:

- after a 429, no call before ``Retry-After`` (missing or 0: a minute, doubling on repeats),
  never more than an hour ahead;
- the gap from the last accepted call to the earliest allowed next one becomes the minimum
  spacing, and the smallest gap that has worked is remembered as ``good``;
- after ``PROBE_AFTER`` accepted calls in a row the spacing is shortened by 10 %, never to a
  gap already refused (``bad``, forgotten after ``BAD_MEMORY_S``); a refused probe returns to
  ``good`` at once, so probing costs at most one refusal now and then;
- an account with no plan limits (every window null) is asked no more often than the profile.

The state is one per login (``pool``), shared by every mode and process.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

from . import clean

RATE_LIMIT_MIN = 60.0
RATE_LIMIT_MAX = 3600.0
PROBE_AFTER = 6
PROBE_FACTOR = 0.9
BAD_MEMORY_S = 6 * 3600.0
MAX_SPACING = 3600.0
SAFETY_S = 1.0  # our clock and the server's see a call at slightly different times


@dataclass(frozen=True)
class Budget:
    last_call: float | None = None  # epoch of the last request we made
    last_ok: float | None = None  # ... and of the last one the server accepted
    spacing: float = 0.0  # the minimum gap between calls we keep
    good: float | None = None  # the smallest gap that has worked
    bad: float | None = None  # the largest gap that was refused (below ``good``)
    bad_at: float | None = None
    streak: int = 0  # accepted calls in a row
    refusals: int = 0  # 429s in a row
    backoff_until: float | None = None
    no_limits: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: Any) -> Budget:
        """Tolerant: a wrong or absurd value becomes the default for that field."""
        if not isinstance(d, dict):
            return cls()

        def ep(key: str) -> float | None:
            return clean.finite(d.get(key), 1e9, 4102444800.0)

        def gap(key: str) -> float | None:
            return clean.finite(d.get(key), 0.0, MAX_SPACING)

        def count(key: str) -> int:
            v = d.get(key)
            return v if isinstance(v, int) and not isinstance(v, bool) and 0 <= v < 1000 else 0

        return cls(last_call=ep("last_call"), last_ok=ep("last_ok"), spacing=gap("spacing") or 0.0,
                   good=gap("good"), bad=gap("bad"), bad_at=ep("bad_at"), streak=count("streak"),
                   refusals=count("refusals"), backoff_until=ep("backoff_until"), no_limits=d.get("no_limits") is True)


def retry_wait(retry_after: float | None, refusals: int) -> float:
    """Seconds to wait after the ``refusals``-th 429 in a row (bounded to an hour)."""
    ra = clean.finite(retry_after, 0.0)
    if ra is not None and ra > 0 and refusals <= 1:
        return min(ra, RATE_LIMIT_MAX)
    escalated = RATE_LIMIT_MIN * 2 ** min(max(refusals, 1) - 1, 10)
    return min(max(ra or 0.0, escalated), RATE_LIMIT_MAX)


def allowed_at(b: Budget, now: float, min_interval: float = 0.0) -> float:
    """The earliest time we may call. A backoff further ahead than the bound (a clock that
    jumped back, a corrupt file) counts as over."""
    at = 0.0
    if b.backoff_until is not None and b.backoff_until <= now + RATE_LIMIT_MAX:
        at = b.backoff_until
    ref = b.last_ok if b.last_ok is not None and b.last_ok <= now else None
    if ref is not None:  # the spacing runs from the last call the server took
        gap = max(b.spacing, min_interval if b.no_limits else 0.0)
        at = max(at, ref + gap)
    return at


def after_ok(b: Budget, now: float, no_limits: bool = False) -> Budget:
    gap = now - b.last_ok if b.last_ok is not None and b.last_ok < now else None
    good = b.good if gap is None else gap if b.good is None else min(b.good, gap)
    bad, bad_at = (b.bad, b.bad_at) if b.bad_at is not None and now - b.bad_at < BAD_MEMORY_S else (None, None)
    spacing, streak = b.spacing, b.streak + 1
    if spacing > 0 and streak >= PROBE_AFTER:
        shorter = spacing * PROBE_FACTOR
        if bad is None or shorter > bad + 1.0:
            spacing, streak = shorter, 0
    return replace(b, last_call=now, last_ok=now, spacing=spacing, good=good, bad=bad, bad_at=bad_at,
                   streak=streak, refusals=0, backoff_until=None, no_limits=no_limits)


def after_refusal(b: Budget, now: float, retry_after: float | None) -> Budget:
    """A 429: back off, and learn the spacing from the gap that was refused."""
    refusals = b.refusals + 1
    until = now + retry_wait(retry_after, refusals)
    spacing, good, bad, bad_at = b.spacing, b.good, b.bad, b.bad_at
    if b.last_ok is not None and b.last_ok < now:
        refused = now - b.last_ok
        if good is not None and refused < good:
            spacing = good  # a probe (or a call before the known spacing) failed: back to what works
            bad, bad_at = max(bad or 0.0, refused), now
        else:
            spacing = until - b.last_ok + SAFETY_S  # the earliest gap that can now work
            good = None if good is not None and refused >= good else good
            bad, bad_at = refused, now
    spacing = min(spacing, MAX_SPACING)
    return replace(b, last_call=now, spacing=spacing, good=good, bad=bad, bad_at=bad_at, streak=0,
                   refusals=refusals, backoff_until=until)


def after_failure(b: Budget, now: float) -> Budget:
    """Any other failure (network, 5xx, auth): the call was made, nothing learned about spacing."""
    return replace(b, last_call=now)
