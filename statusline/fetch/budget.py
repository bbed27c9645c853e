"""How often the usage endpoint will take a call from us: learned, kept, shared. Pure functions.

The endpoint rate-limits hard, per token (about one call per 5 minutes in 2026), and a call
inside a refused window may restart it. A fixed TTL meets a 429 after every success; so the
spacing the server accepts is learned from its 429s and kept:

- after a 429, no call before ``Retry-After`` (missing or 0: a minute, doubling on repeats),
  never more than an hour ahead;
- the gap from the last accepted call to the earliest allowed next one becomes the minimum
  spacing, and the smallest gap that has worked is remembered as ``good``;
- after ``PROBE_AFTER`` accepted calls in a row the spacing is probed shorter, halfway between
  the largest wait refused (``bad``, forgotten after ``BAD_MEMORY_S``) and the smallest gap that
  worked (``good``), until the two are close; a refused probe returns to ``good`` at once (and
  waits one ``good`` gap, as the refusal may have restarted the window), so probing costs a
  few refusals, each one window of age, while the spacing converges, and none after;
- an account with no plan limits (every window null) is asked no more often than the profile.

The state is one per login (``pool``), shared by every mode and process.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

from statusline.core import clean

RATE_LIMIT_MIN = 60.0
RATE_LIMIT_MAX = 3600.0
PROBE_AFTER = 4
PROBE_MIN_STEP_S = 5.0
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


def _forget(b: Budget, now: float) -> tuple[float | None, float | None]:
    """``bad`` and when it was learned, unless that is too long ago to still hold."""
    if b.bad_at is not None and 0 <= now - b.bad_at < BAD_MEMORY_S:
        return b.bad, b.bad_at
    return None, None


def after_ok(b: Budget, now: float, no_limits: bool = False) -> Budget:
    """An accepted call: the gap since the last one worked; now and then, probe shorter."""
    gap = now - b.last_ok if b.last_ok is not None and b.last_ok < now else None
    good = b.good if gap is None else gap if b.good is None else min(b.good, gap)
    bad, bad_at = _forget(b, now)
    spacing, streak = b.spacing, b.streak + 1
    if good is not None and spacing > 0 and streak >= PROBE_AFTER:
        # bisect between the largest gap refused and the smallest that worked
        shorter = (bad + good) / 2 if bad is not None and bad < good else good * PROBE_FACTOR
        if shorter < good - max(PROBE_MIN_STEP_S, good * 0.05):
            spacing, streak = shorter, 0
    return replace(b, last_call=now, last_ok=now, spacing=spacing, good=good, bad=bad, bad_at=bad_at,
                   streak=streak, refusals=0, backoff_until=None, no_limits=no_limits)


def after_refusal(b: Budget, now: float, retry_after: float | None) -> Budget:
    """A 429: back off, and learn from it.

    The wait since our previous call was refused, so the window is longer than that (in every
    manner the server may have). With a ``Retry-After`` the server said exactly when the window
    opens: the spacing from the last accepted call is known. Without one, a refusal before the
    known-good gap was a failed probe: back to what works, waiting a whole good gap, since the
    refusal may have restarted the window.
    """
    refusals = b.refusals + 1
    ra = clean.finite(retry_after, 0.0)
    until = now + retry_wait(retry_after, refusals)
    spacing, good = b.spacing, b.good
    bad, bad_at = _forget(b, now)
    if b.last_call is not None and b.last_call < now:
        bad, bad_at = max(bad or 0.0, now - b.last_call), now
    if b.last_ok is not None and b.last_ok < now:
        since_ok = now - b.last_ok
        if ra:
            spacing = until - b.last_ok + SAFETY_S
            good, bad = spacing, max(bad or 0.0, until - b.last_ok - SAFETY_S)
        elif good is not None and since_ok < good:
            spacing = good
            until = max(until, now + good)
        else:
            spacing = until - b.last_ok + SAFETY_S  # the earliest gap that can now work
            good = None if good is not None and since_ok >= good else good
    spacing = min(spacing, MAX_SPACING)
    return replace(b, last_call=now, spacing=spacing, good=good, bad=bad, bad_at=bad_at, streak=0,
                   refusals=refusals, backoff_until=until)


def after_failure(b: Budget, now: float) -> Budget:
    """Any other failure (network, 5xx, auth): the call was made, nothing learned about spacing."""
    return replace(b, last_call=now)
