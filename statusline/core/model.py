"""The snapshot: everything the fetcher learned, as typed, frozen dataclasses.

Data flows one way: credentials -> fetch -> Snapshot on disk -> renderers. The model keeps
the API's own names (``five_hour``, ``utilization``, ``resets_at``); display words belong
to the renderers. ``to_dict``/``from_dict`` define the on-disk JSON contract (schema 1):
``from_dict`` is tolerant (unknown keys ignored, missing keys default) so an older or newer
cache never crashes a reader.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any, Literal

from statusline.core import clean
from statusline.core.readings import SOURCES

SCHEMA = 1
NAME_MAX = 40  # a model or limit name on the line

Mode = Literal["code", "console"]
Status = Literal["ok", "stale", "rate_limited", "auth_expired", "no_credentials", "error"]
# Kinds of failure the fetcher records; each maps to a backoff policy.
ErrorKind = Literal[
    "auth_expired",
    "auth_invalid",
    "missing_scope",
    "rate_limited",
    "server_error",
    "network_error",
    "bad_response",
    "no_credentials",
    "no_email",
    "unavailable",
    "internal_error",
]

# The failures a new credential can end: the fetcher waits for the file to change, not for a clock.
AUTH_KINDS = ("auth_expired", "auth_invalid", "missing_scope")


def utc(ts: float) -> datetime:
    """An aware UTC datetime from epoch seconds."""
    return datetime.fromtimestamp(ts, tz=timezone.utc)


def iso(dt: datetime | None) -> str | None:
    return None if dt is None else dt.astimezone(timezone.utc).isoformat()


def parse_iso(value: Any) -> datetime | None:
    """Parse an ISO-8601 timestamp into an aware UTC datetime; anything else is None.

    One hand-written path, so Python 3.10 through 3.13 agree (3.10's ``fromisoformat``
    takes no ``Z`` and only 3- or 6-digit fractions; 3.11 takes far more): ``YYYY-MM-DD``,
    then optionally ``T`` (or ``t`` or a space) and ``HH:MM[:SS[.fraction]]`` with any
    number of fraction digits (``.`` or ``,``; kept to the microsecond), then ``Z``,
    ``±HH[:MM]`` or nothing (naive is UTC). Years outside 1970..2100 are None. Never raises.
    """
    from datetime import timedelta

    if not isinstance(value, str):
        return None
    text = value.strip()
    if not 10 <= len(text) <= 64:
        return None

    def digits(s: str) -> int | None:  # ASCII digits only: str.isdigit also takes '²' and '٣'
        return int(s) if s and all("0" <= c <= "9" for c in s) else None

    year, month, day = digits(text[0:4]), digits(text[5:7]), digits(text[8:10])
    if year is None or month is None or day is None or text[4] != "-" or text[7] != "-":
        return None
    hour = minute = second = micro = 0
    rest = text[10:]
    if rest:
        if rest[0] not in "Tt " or len(rest) < 6 or rest[3] != ":":
            return None
        hh, mm = digits(rest[1:3]), digits(rest[4:6])
        if hh is None or mm is None:
            return None
        hour, minute, rest = hh, mm, rest[6:]
        if rest[:1] == ":":
            ss = digits(rest[1:3])
            if ss is None:
                return None
            second, rest = ss, rest[3:]
            if rest[:1] in (".", ","):
                n = 1
                while n < len(rest) and "0" <= rest[n] <= "9":
                    n += 1
                if n == 1:
                    return None
                micro, rest = int((rest[1:n] + "00000")[:6]), rest[n:]
    offset = 0
    if rest in ("Z", "z"):
        rest = ""
    elif rest[:1] in ("+", "-"):
        zone = rest[1:].replace(":", "", 1) if rest[3:4] == ":" else rest[1:]
        oh, om = digits(zone[0:2]), digits(zone[2:4]) if len(zone) == 4 else (0 if len(zone) == 2 else None)
        if oh is None or om is None or oh > 23 or om > 59:
            return None
        offset = (oh * 60 + om) * (1 if rest[0] == "+" else -1)
        rest = ""
    if rest or not 1970 <= year <= 2100:
        return None
    try:
        dt = datetime(year, month, day, hour, minute, second, micro, tzinfo=timezone.utc)
    except ValueError:  # month 13, 30 February, hour 25, second 60...
        return None
    return dt - timedelta(minutes=offset)


def _num(value: Any) -> float | None:
    """A finite number of sane size, else None (see ``clean.finite``)."""
    return clean.finite(value)


@dataclass(frozen=True)
class Window:
    """One rate-limit window: percent used (may exceed 100), when it resets, and where and when
    that number was observed (``source`` is one of ``readings.SOURCES``)."""

    utilization: float
    resets_at: datetime | None = None
    observed_at: datetime | None = None
    source: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"utilization": self.utilization, "resets_at": iso(self.resets_at),
                "observed_at": iso(self.observed_at), "source": self.source}

    @classmethod
    def from_dict(cls, d: Any) -> Window | None:
        if not isinstance(d, dict):
            return None
        u = clean.percent(d.get("utilization"))
        if u is None:
            return None
        source = d.get("source") if d.get("source") in SOURCES else None
        return cls(utilization=u, resets_at=parse_iso(d.get("resets_at")),
                   observed_at=parse_iso(d.get("observed_at")), source=source)

    def reading(self, key: str, name: str | None, fallback_at: datetime | None) -> tuple[Any, ...] | None:
        """This window as a ``readings`` tuple (None when nothing says when it was observed)."""
        seen = self.observed_at or fallback_at
        if seen is None:
            return None
        reset = self.resets_at.timestamp() if self.resets_at else None
        return (key, name, self.utilization, reset, seen.timestamp(), self.source or "api")

    @classmethod
    def of(cls, r: tuple[Any, ...]) -> Window:
        """The window a ``readings`` tuple describes."""
        return cls(utilization=float(r[2]), resets_at=utc(r[3]) if r[3] is not None else None,
                   observed_at=utc(r[4]), source=r[5])


@dataclass(frozen=True)
class ScopedLimit:
    """A per-model weekly limit (``seven_day_opus`` or a ``weekly_scoped`` entry)."""

    name: str
    window: Window

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, **self.window.to_dict()}

    @classmethod
    def from_dict(cls, d: Any) -> ScopedLimit | None:
        w = Window.from_dict(d)
        name = clean.text(d.get("name"), NAME_MAX) if isinstance(d, dict) else None
        if w is None or name is None:
            return None
        return cls(name=name, window=w)


@dataclass(frozen=True)
class ExtraUsage:
    """Usage credits ("extra usage") beyond the plan; money already converted from minor units.
    ``monthly_limit`` None with ``enabled`` means enabled without a cap."""

    enabled: bool
    monthly_limit: float | None = None
    used: float | None = None
    utilization: float | None = None
    currency: str = "USD"
    disabled_reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "enabled": self.enabled,
            "monthly_limit": self.monthly_limit,
            "used": self.used,
            "utilization": self.utilization,
            "currency": self.currency,
            "disabled_reason": self.disabled_reason,
        }

    @classmethod
    def from_dict(cls, d: Any) -> ExtraUsage | None:
        if not isinstance(d, dict):
            return None
        return cls(
            enabled=d.get("enabled") is True,
            monthly_limit=clean.finite(d.get("monthly_limit"), 0),
            used=clean.finite(d.get("used"), 0),
            utilization=clean.percent(d.get("utilization")),
            currency=clean.text(d.get("currency"), 8) or "USD",
            disabled_reason=clean.text(d.get("disabled_reason"), 60),
        )


@dataclass(frozen=True)
class Spend:
    """A spend limit: the API's ``spend`` object or a gateway's ``rate_limits.spend_limit``."""

    percent: float | None = None
    used: float | None = None
    limit: float | None = None
    currency: str = "USD"
    period: str | None = None
    observed_at: datetime | None = None
    source: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"percent": self.percent, "used": self.used, "limit": self.limit, "currency": self.currency,
                "period": self.period, "observed_at": iso(self.observed_at), "source": self.source}

    @classmethod
    def from_dict(cls, d: Any) -> Spend | None:
        if not isinstance(d, dict):
            return None
        return cls(
            percent=clean.percent(d.get("percent")),
            used=clean.finite(d.get("used"), 0),
            limit=clean.finite(d.get("limit"), 0),
            currency=clean.text(d.get("currency"), 8) or "USD",
            period=clean.text(d.get("period"), 20),
            observed_at=parse_iso(d.get("observed_at")),
            source=d.get("source") if d.get("source") in SOURCES else None,
        )


@dataclass(frozen=True)
class Usage:
    """The rate-limit picture of a Code-mode account.

    ``no_limits``: the API answered with every window null: a real state (Enterprise and
    team-managed accounts), not an error.
    """

    five_hour: Window | None = None
    seven_day: Window | None = None
    scoped: tuple[ScopedLimit, ...] = ()
    extra: ExtraUsage | None = None
    routines: Window | None = None
    spend: Spend | None = None
    no_limits: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "five_hour": self.five_hour.to_dict() if self.five_hour else None,
            "seven_day": self.seven_day.to_dict() if self.seven_day else None,
            "routines": self.routines.to_dict() if self.routines else None,
            "scoped": [s.to_dict() for s in self.scoped],
            "extra": self.extra.to_dict() if self.extra else None,
            "spend": self.spend.to_dict() if self.spend else None,
            "no_limits": self.no_limits,
        }

    @classmethod
    def from_dict(cls, d: Any) -> Usage | None:
        if not isinstance(d, dict):
            return None
        scoped = tuple(
            s for s in (ScopedLimit.from_dict(x) for x in d.get("scoped") or () if isinstance(x, dict)) if s
        )
        return cls(
            five_hour=Window.from_dict(d.get("five_hour")),
            seven_day=Window.from_dict(d.get("seven_day")),
            routines=Window.from_dict(d.get("routines")),
            scoped=scoped,
            extra=ExtraUsage.from_dict(d.get("extra")),
            spend=Spend.from_dict(d.get("spend")),
            no_limits=d.get("no_limits") is True,
        )

    def windows(self) -> list[tuple[str, str | None, Window]]:
        """Every window with its ``readings`` key and name, in display order."""
        out: list[tuple[str, str | None, Window]] = []
        for key in ("five_hour", "seven_day", "routines"):
            w = getattr(self, key)
            if w is not None:
                out.append((key, None, w))
        out += [("scoped", s.name, s.window) for s in self.scoped]
        return out

    def readings(self, fallback_at: datetime | None = None) -> list[tuple[Any, ...]]:
        """Every window as a ``readings`` tuple."""
        got = (w.reading(key, name, fallback_at) for key, name, w in self.windows())
        return [r for r in got if r is not None]

    def with_readings(self, merged: list[tuple[Any, ...]]) -> Usage:
        """The same account facts with its windows replaced by ``merged`` readings."""
        by_key = {r[0]: r for r in merged if r[0] != "scoped"}
        scoped = tuple(ScopedLimit(r[1], Window.of(r)) for r in merged if r[0] == "scoped" and r[1])

        def win(key: str) -> Window | None:
            return Window.of(by_key[key]) if key in by_key else None

        return replace(self, five_hour=win("five_hour"), seven_day=win("seven_day"),
                       routines=win("routines"), scoped=scoped)


@dataclass(frozen=True)
class Profile:
    """Who the Code-mode account is; changes rarely."""

    display_name: str | None = None
    full_name: str | None = None
    email: str | None = None
    account_uuid: str | None = None
    organization: str | None = None
    organization_type: str | None = None
    has_claude_max: bool = False
    has_claude_pro: bool = False
    rate_limit_tier: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "display_name": self.display_name,
            "full_name": self.full_name,
            "email": self.email,
            "account_uuid": self.account_uuid,
            "organization": self.organization,
            "organization_type": self.organization_type,
            "has_claude_max": self.has_claude_max,
            "has_claude_pro": self.has_claude_pro,
            "rate_limit_tier": self.rate_limit_tier,
        }

    @classmethod
    def from_dict(cls, d: Any) -> Profile | None:
        if not isinstance(d, dict):
            return None

        def s(key: str) -> str | None:
            return clean.text(d.get(key))

        return cls(
            display_name=s("display_name"),
            full_name=s("full_name"),
            email=s("email"),
            account_uuid=s("account_uuid"),
            organization=s("organization"),
            organization_type=s("organization_type"),
            has_claude_max=d.get("has_claude_max") is True,
            has_claude_pro=d.get("has_claude_pro") is True,
            rate_limit_tier=s("rate_limit_tier"),
        )


@dataclass(frozen=True)
class FetchError:
    """The last failure, safe to show: never holds a token or key."""

    kind: ErrorKind
    message: str
    at: datetime
    status: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "message": self.message, "at": iso(self.at), "status": self.status}

    @classmethod
    def from_dict(cls, d: Any) -> FetchError | None:
        if not isinstance(d, dict) or not isinstance(d.get("kind"), str):
            return None
        at = parse_iso(d.get("at")) or utc(0)
        status = d.get("status") if isinstance(d.get("status"), int) else None
        return cls(kind=d["kind"], message=clean.text(d.get("message"), 300) or "", at=at, status=status)


@dataclass(frozen=True)
class Backoff:
    """Why and until when the fetcher must not call the API.

    ``until`` is None for auth failures: those wait for ``cred_sig`` (the credentials file's
    mtime/size) to change instead of for a time.
    """

    kind: ErrorKind
    failures: int
    until: datetime | None = None
    cred_sig: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "failures": self.failures,
            "until": iso(self.until),
            "cred_sig": self.cred_sig,
        }

    @classmethod
    def from_dict(cls, d: Any) -> Backoff | None:
        if not isinstance(d, dict) or not isinstance(d.get("kind"), str):
            return None
        failures = d.get("failures")
        return cls(
            kind=d["kind"],
            failures=failures if isinstance(failures, int) and failures > 0 else 1,
            until=parse_iso(d.get("until")),
            cred_sig=d.get("cred_sig") if isinstance(d.get("cred_sig"), str) else None,
        )


@dataclass(frozen=True)
class Snapshot:
    """The whole cache record for one account and mode.

    ``console`` and ``pace_maker`` hold plain dicts owned by their own modules
    (``statusline.fetch.console``, ``statusline.sources.pace_maker_state``), so this file stays the Code-mode core.
    """

    mode: Mode | None = None
    account: str | None = None
    token_fp: str | None = None  # sha256 prefix of the token that fetched this: never the token
    usage: Usage | None = None
    usage_fetched_at: datetime | None = None
    usage_source: str | None = None  # "api" or "claude-code" (harvested from the statusLine hook)
    profile: Profile | None = None
    profile_fetched_at: datetime | None = None
    console: dict[str, Any] | None = None
    console_fetched_at: datetime | None = None
    pace_maker: dict[str, Any] | None = None
    last_error: FetchError | None = None
    backoff: Backoff | None = None
    last_attempt_at: datetime | None = None
    schema: int = SCHEMA
    extra: dict[str, Any] = field(default_factory=dict)

    def replace(self, **changes: Any) -> Snapshot:
        return replace(self, **changes)

    def data_fetched_at(self) -> datetime | None:
        """When the data the line shows was fetched (usage in Code mode, costs in Console)."""
        return self.console_fetched_at if self.mode == "console" else self.usage_fetched_at

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": self.schema,
            "mode": self.mode,
            "account": self.account,
            "token_fp": self.token_fp,
            "usage": self.usage.to_dict() if self.usage else None,
            "usage_fetched_at": iso(self.usage_fetched_at),
            "usage_source": self.usage_source,
            "profile": self.profile.to_dict() if self.profile else None,
            "profile_fetched_at": iso(self.profile_fetched_at),
            "console": self.console,
            "console_fetched_at": iso(self.console_fetched_at),
            "pace_maker": self.pace_maker,
            "last_error": self.last_error.to_dict() if self.last_error else None,
            "backoff": self.backoff.to_dict() if self.backoff else None,
            "last_attempt_at": iso(self.last_attempt_at),
            "extra": self.extra,
        }

    @classmethod
    def from_dict(cls, d: Any) -> Snapshot:
        """Tolerant reader: a wrong type anywhere degrades to 'unknown', never raises."""
        if not isinstance(d, dict):
            return cls()
        mode = d.get("mode") if d.get("mode") in ("code", "console") else None
        account = d.get("account") if isinstance(d.get("account"), str) else None
        source = d.get("usage_source") if isinstance(d.get("usage_source"), str) else None
        console = d.get("console") if isinstance(d.get("console"), dict) else None
        pace = d.get("pace_maker") if isinstance(d.get("pace_maker"), dict) else None
        raw_extra = d.get("extra")
        extra: dict[str, Any] = raw_extra if isinstance(raw_extra, dict) else {}
        return cls(
            mode=mode,
            account=account,
            token_fp=d.get("token_fp") if isinstance(d.get("token_fp"), str) else None,
            usage=Usage.from_dict(d.get("usage")),
            usage_fetched_at=parse_iso(d.get("usage_fetched_at")),
            usage_source=source,
            profile=Profile.from_dict(d.get("profile")),
            profile_fetched_at=parse_iso(d.get("profile_fetched_at")),
            console=console,
            console_fetched_at=parse_iso(d.get("console_fetched_at")),
            pace_maker=pace,
            last_error=FetchError.from_dict(d.get("last_error")),
            backoff=Backoff.from_dict(d.get("backoff")),
            last_attempt_at=parse_iso(d.get("last_attempt_at")),
            extra=extra,
        )


def epoch(dt: datetime | None) -> float | None:
    return None if dt is None else dt.timestamp()
