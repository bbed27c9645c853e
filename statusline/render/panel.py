"""The full panel of ``claude-usage``: a box drawn from one Snapshot at one moment.

Pure rendering: the caller passes the snapshot, the clock, the width and the time zone, so
tests fix all four. Levels come from ``segments`` so the line and the panel never disagree
about what is yellow. This module (with ``watch``) is the only place that imports ``rich``.

Width rules, because a box whose right border wanders is worse than no box:
- the box is at most ``BOX_MAX`` columns and never wider than the terminal;
- single-line items are cut with an ellipsis rather than wrapped, bars shrink first;
- glyphs are emoji with an unambiguous double width (no U+FE0F variation selectors, whose
  width terminals disagree on) or plain one-cell symbols, so rich's count and the
  terminal's agree.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, tzinfo
from typing import Any

from rich import box
from rich.cells import cell_len
from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.text import Text

from statusline.core import clean, readings
from statusline.core.model import ExtraUsage, Profile, Snapshot, Usage, Window
from statusline.render import segments

BOX_MAX = 60  # the seed's compact box; wide terminals do not get a banner
BAR_MAX = 20
BAR_MIN = 4
PAD = 4  # two borders and one space of padding on each side

TITLES = {"code": "Claude Code Usage", "console": "Console Usage"}
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")

# Every glyph is either East-Asian-Wide (2 cells everywhere) or a one-cell symbol: no VS16.
ICON = {
    "user": "\U0001f464",  # 👤
    "org": "\U0001f3e2",  # 🏢
    "tier": "\u26a1",  # ⚡
    "clock": "\u23f0",  # ⏰
    "pace": "\U0001f3af",  # 🎯
    "delay": "\u23f3",  # ⏳ (the seed's ⏱️ needs VS16 to be wide)
    "warn": "\u26a0",  # ⚠ (one cell: the seed's ⚠️ is VS16)
    "check": "\u2713",  # ✓
}

STYLE = {
    "ok": "green",
    "warn": "yellow",
    "high": "color(208)",  # orange
    "crit": "bold red",
    "stale": "dim",
    "muted": "dim",
    "info": "cyan",
    "badge": "bold magenta",
    "error": "red",
}

# Console mode authenticates with an Admin API key: its advice speaks of the key.
CONSOLE_AUTH_WORDS = {
    "auth_expired": "Admin API key rejected \u2014 set a valid ANTHROPIC_ADMIN_API_KEY",
    "auth_invalid": "Admin API key rejected \u2014 set a valid ANTHROPIC_ADMIN_API_KEY",
    "missing_scope": "Admin API key lacks permission \u2014 use an Admin key (sk-ant-admin\u2026)",
}
AUTH_WORDS = {
    "auth_expired": "Login expired \u2014 run `claude` to log in again",
    "auth_invalid": "Login rejected \u2014 run `claude` to log in again",
    "missing_scope": "Token lacks user:profile scope \u2014 run `claude` and /login "
                     "(setup-token tokens cannot read usage)",
}
NO_CREDS_FIX = ("Run `claude` and log in (Code mode), or set ANTHROPIC_ADMIN_API_KEY "
                "(Console mode).")
NO_ADMIN_KEY_FIX = ("Console mode reads costs with an Admin API key: create one in the Claude Console "
                    "(Settings > Admin keys), then export ANTHROPIC_ADMIN_API_KEY=sk-ant-admin\u2026")


# --- small pure helpers -----------------------------------------------------------------


def box_width(width: int) -> int:
    """The box's outer width: the seed's compact size, shrunk to the terminal."""
    return max(PAD + 1, min(BOX_MAX, width))


def duration(seconds: float) -> str:
    """Countdown words: ``45s``, ``40m``, ``1h 40m``, ``2d 3h`` (the line's, spaced)."""
    return segments.duration(seconds, " ")


def clock(ts: float, tz: tzinfo | None, fmt: str = "%H:%M:%S") -> str:
    """Wall-clock time of an epoch in ``tz`` (the machine's zone when None)."""
    dt = datetime.fromtimestamp(ts, tz) if tz is not None else datetime.fromtimestamp(ts)
    return dt.strftime(fmt)


def money(value: Any) -> str:
    return "$%.2f" % (value if isinstance(value, (int, float)) else 0.0)


def month_title(month: Any) -> str | None:
    """``"2025-11"`` -> ``"November 2025"`` (English whatever the locale, like the seed)."""
    if not isinstance(month, str):
        return None
    year, _, mon = month.partition("-")
    if not (year.isdigit() and mon.isdigit() and 1 <= int(mon) <= 12):
        return None
    return f"{MONTHS[int(mon) - 1]} {year}"


def badge(profile: Profile) -> str | None:
    if profile.organization_type == "claude_enterprise":
        return "ENTERPRISE"
    if profile.has_claude_max:
        return "MAX"
    if profile.has_claude_pro:
        return "PRO"
    return None


KNOWN_TIERS = {"pro": "Pro", "max": "Max", "team": "Team", "enterprise": "Enterprise", "free": "Free",
               "ai": "Free"}


def tier_name(raw: str) -> str:
    """``default_claude_max_5x`` -> ``Max 5x``, ``default_claude_pro`` -> ``Pro``: the tier as a person
    says it. A tier this does not know is shown as it came."""
    words = raw.lower().split("_")
    if words[:2] == ["default", "claude"] and len(words) >= 3 and words[2] in KNOWN_TIERS:
        rest = words[3:]
        if all(w[:-1].isdigit() and w.endswith("x") for w in rest):
            return " ".join([KNOWN_TIERS[words[2]], *rest])
    return raw


def bar_width(inner: int, label_cells: int, numbers: str = "used") -> int:
    """Cells left for a bar after ``label `` and `` 100%`` (`` 100% left``), within BAR_MIN..BAR_MAX."""
    return max(BAR_MIN, min(BAR_MAX, inner - label_cells - 1 - figure_cells(numbers)))


def figure_cells(numbers: str) -> int:
    """The cells of the figure after a bar: `` 100%``, or `` 100% left``."""
    return 10 if numbers == "left" else 5


def line(*parts: tuple[str, str] | str) -> Text:
    """One row that is cut with an ellipsis, never wrapped."""
    t = Text(no_wrap=True, overflow="ellipsis")
    for p in parts:
        if isinstance(p, tuple):
            t.append(p[0], style=p[1])
        else:
            t.append(p)
    return t


def para(text: str, style: str = "") -> Text:
    """A message that may wrap onto several rows inside the box."""
    return Text(text, style=style, overflow="fold")


def fit_pair(left: str, right: str, inner: int) -> str:
    """Cut ``left`` so that ``left  right`` fits in ``inner`` cells; ``right`` stays whole."""
    room = inner - cell_len(right) - 2
    if cell_len(left) <= room:
        return left
    if room <= 1:
        return ""
    return _ellipsize(left, room)


def _ellipsize(text: str, cells: int) -> str:
    t = Text(text)
    t.truncate(cells, overflow="ellipsis")
    return t.plain


def bar(pct: float, cells: int, style: str) -> Text:
    """``██████░░░░``: filled in the level's colour, the rest dim."""
    filled = min(cells, max(0, int(pct * cells / 100 + 0.5)))
    t = Text()
    t.append("\u2588" * filled, style=style)
    t.append("\u2591" * (cells - filled), style="dim")
    return t


def _cut(text: str, cells: int) -> str:
    """``text`` cut to ``cells`` terminal cells, ending in an ellipsis (its colon kept)."""
    tail = ":" if text.endswith(":") and cells >= 3 else ""
    out = ""
    for ch in text[: len(text) - len(tail)]:
        if cell_len(out + ch) > cells - 1 - len(tail):
            break
        out += ch
    return out + "\u2026" + tail


def bar_row(label: str, util: float, label_cells: int, inner: int, style: str | None = None,
            thresholds: tuple[float, float, float] | None = None, numbers: str = "used") -> Text:
    """``5-Hour:      ████░░  78%`` with the percentage coloured by the shared thresholds; with
    ``numbers="left"``, ``██░░░░  22% left``: the bar and figure of the share left, the colour
    still that of the share used (as on the line)."""
    pct = segments.percent(util)
    lvl_style = style or STYLE[segments.level(pct, thresholds)]
    room = max(1, inner - BAR_MIN - 1 - figure_cells(numbers))  # the label gives way: bar and figure always show
    if label_cells > room:
        label_cells = room
    if cell_len(label) > label_cells:
        label = _cut(label, label_cells)
    row = line(label + " " * (label_cells - cell_len(label) + 1))
    shown = segments.left(util) if numbers == "left" else pct
    row.append_text(bar(shown, bar_width(inner, label_cells, numbers), lvl_style))
    row.append(f" {shown:>3}% left" if numbers == "left" else f" {shown:>3}%", style=lvl_style)
    return row


def reset_row(resets_at: datetime | None, now: float, tz: tzinfo | None = None) -> Text | None:
    """``⏰ Resets in 1h 40m (15:00)``: the countdown and the wall-clock time (with the weekday
    when it is not within the next 20 hours)."""
    if resets_at is None:
        return None
    ts = resets_at.timestamp()
    left = ts - now
    if left <= 0:
        return line(f"{ICON['clock']} ", ("window reset", STYLE["muted"]))
    when = clock(ts, tz, "%H:%M" if left < 20 * 3600 else "%a %H:%M")
    return line(f"{ICON['clock']} Resets in {duration(left)} ", (f"({when})", STYLE["muted"]))


# --- history: sparkline, rate, ETA ----------------------------------------------------------

MIN_SAMPLES = 3  # of a window, before its sparkline and rate are drawn
SPARKS = "\u2581\u2582\u2583\u2584\u2585\u2586\u2587\u2588"  # ▁▂▃▄▅▆▇█
SPARKS_ASCII = "_.-~=+*#"


def sparkline(points: Sequence[tuple[float, float]], start: float, now: float, cells: int,
              ascii_only: bool = False) -> str:
    """The window's utilization from ``start`` to ``now`` in ``cells`` columns, on a fixed
    0-100 scale (a full block is the limit). Each column shows the last value known by its
    end; columns before the first sample are blank."""
    chars = SPARKS_ASCII if ascii_only else SPARKS
    if cells <= 0 or now <= start:
        return ""
    step = (now - start) / cells
    pts = sorted(points)
    out = []
    i, value = 0, None
    for c in range(cells):
        end = start + (c + 1) * step
        while i < len(pts) and pts[i][0] <= end:
            value = pts[i][1] if value is None else max(value, pts[i][1])
            i += 1
        if value is None:
            out.append(" ")
        else:
            out.append(chars[min(len(chars) - 1, max(0, int(value / 100 * len(chars))))])
    return "".join(out)


def window_key(label: str, usage: Usage) -> tuple[str, str | None]:
    """History's (key, name) of a panel window label."""
    if label == "5-Hour:":
        return "five_hour", None
    if label == "7-Day:":
        return "seven_day", None
    if label == "Routines Weekly:":
        return "routines", None
    for s in usage.scoped:
        if label == f"{s.name} Weekly:":
            return "scoped", s.name
    return "", None


def history_rows(key: str, name: str | None, w: Window, samples: Sequence[Any], now: float, inner: int,
                 label_cells: int, tz: tzinfo | None, ascii_only: bool,
                 options: dict[str, Any] | None = None, observed_at: float | None = None) -> list[Text]:
    """Under a window's bar: its sparkline (aligned with the bar), then rate, ETA and pace."""
    from statusline.core import forecast as fc

    resets = w.resets_at.timestamp() if w.resets_at else None
    length = fc.LENGTH.get(key)
    mine = [s for s in samples if s[1] == key and s[2] == name and readings.same_window(s[4], resets)]
    if len(mine) < MIN_SAMPLES or length is None or resets is None:
        return []  # one or two samples draw a lone block and no rate: nothing worth a row yet
    rows: list[Text] = []
    start = resets - length
    pts = [(float(s[0]), float(s[3])) for s in mine if s[0] <= now]
    spark = sparkline(pts, start, now, bar_width(inner, label_cells), ascii_only)
    if spark.strip():
        rows.append(line(" " * (label_cells + 1), (spark, STYLE[segments.level(segments.percent(w.utilization))])))
    f = fc.forecast(samples, key, name, w.utilization, resets, now, observed_at=observed_at, **(options or {}))
    if f.rate_per_hour is None:
        return rows  # no rate to tell yet: the sparkline alone
    r = f.rate_per_hour
    row = line(f"Rate: +{r:.1f}%/h" if r < 10 else f"Rate: +{r:.0f}%/h")
    used = cell_len(row.plain)
    parts: list[tuple[str, str]] = []
    if w.utilization >= 100:
        parts.append((" \u00b7 at the limit", STYLE["crit"]))
    elif f.hits_limit_before_reset and f.eta is not None:
        fmt = "%H:%M" if f.eta - now < 20 * 3600 else "%a %H:%M"
        parts.append((f" \u00b7 100% at {clock(f.eta, tz, fmt)} {ICON['warn']}", STYLE["warn"]))
    if f.pace_delta is not None:
        word = "ahead of" if f.pace_delta > 0 else "behind"
        parts.append((f" \u00b7 {f.pace_delta:+.0f}% {word} pace" if f.pace_delta else " \u00b7 on pace",
                      STYLE["muted"]))
    for text, style in parts:
        if used + cell_len(text) <= inner:
            row.append(text, style=style)
            used += cell_len(text)
    rows.append(row)
    return rows


# --- blocks -------------------------------------------------------------------------------


def profile_rows(profile: Profile | None, inner: int) -> list[Text]:
    if profile is None:
        return []
    rows: list[Text] = []
    name = profile.display_name or profile.full_name
    if name and profile.email:
        rows.append(line(f"{ICON['user']} {name} ({profile.email})"))
    elif name or profile.email:
        rows.append(line(f"{ICON['user']} {name or profile.email}"))
    plan = badge(profile)
    if profile.organization or plan:
        org = f"{ICON['org']} {profile.organization or ''}".rstrip()
        if plan:
            rows.append(line(fit_pair(org, plan, inner), "  ", (plan, STYLE["badge"])))
        else:
            rows.append(line(org))
    if profile.rate_limit_tier:
        rows.append(line(f"{ICON['tier']} Tier: {tier_name(profile.rate_limit_tier)}"))
    return rows


def usage_windows(usage: Usage | None) -> list[tuple[str, Window]]:
    """(label, window) for every active window, in the seed's order."""
    if usage is None:
        return []
    out: list[tuple[str, Window]] = []
    if usage.five_hour:
        out.append(("5-Hour:", usage.five_hour))
    if usage.seven_day:
        out.append(("7-Day:", usage.seven_day))
    if usage.routines:
        out.append(("Routines Weekly:", usage.routines))
    for s in usage.scoped:
        out.append((f"{s.name} Weekly:", s.window))
    return out


def extra_util(extra: ExtraUsage | None) -> float | None:
    """Extra usage as a percent, from the API's figure or from used/limit."""
    if extra is None or not extra.enabled:
        return None
    if extra.utilization is not None:
        return extra.utilization
    return clean.ratio_percent(extra.used, extra.monthly_limit)


def usage_rows(usage: Usage | None, now: float, inner: int, label_cells: int, tz: tzinfo | None = None,
               samples: Sequence[Any] = (), ascii_only: bool = False,
               options: dict[str, Any] | None = None, observed_at: float | None = None,
               thresholds: tuple[float, float, float] | None = None, numbers: str = "used") -> list[Text]:
    """Each window's bar (coloured by ``thresholds``, config.toml's, else the default), its
    history and reset; then usage credits and a spend limit. ``numbers`` (``used`` or
    ``left``, config.toml's ``[line] numbers``) is what each window's figure counts."""
    rows: list[Text] = []
    for label, w in usage_windows(usage):
        if w.resets_at is not None and w.resets_at.timestamp() <= now:
            w = replace(w, utilization=0.0)  # the window has reset: its old figure no longer holds
        rows.append(bar_row(label, w.utilization, label_cells, inner, thresholds=thresholds, numbers=numbers))
        if samples and usage is not None:
            key, name = window_key(label, usage)
            rows.extend(history_rows(key, name, w, samples, now, inner, label_cells, tz, ascii_only, options,
                                     observed_at))
        r = reset_row(w.resets_at, now, tz)
        if r is not None:
            rows.append(r)
    extra = usage.extra if usage else None
    if extra is not None and extra.enabled:
        util = extra_util(extra)
        if util is not None:
            rows.append(bar_row("Usage credits:", util, label_cells, inner, thresholds=thresholds))
        if extra.used is not None:
            limit = f" / {money(extra.monthly_limit)}" if extra.monthly_limit is not None else " (no monthly cap)"
            rows.append(line(f"Credits used: {money(extra.used)}{limit}"))
    spend = usage.spend if usage else None
    if spend is not None:
        if spend.percent is not None:
            rows.append(bar_row("Spend limit:", spend.percent, label_cells, inner, thresholds=thresholds))
        if spend.used is not None:
            limit = f" / {money(spend.limit)}" if spend.limit is not None else ""
            period = f" this {spend.period}" if spend.period else ""
            rows.append(line(f"Spent{period}: {money(spend.used)}{limit}"))
    if usage is not None and usage.no_limits and not rows:
        rows.append(para("No plan limits on this account (every window is null).", STYLE["muted"]))
    return rows


def has_usage(usage: Usage | None) -> bool:
    return bool(usage_windows(usage)) or (usage is not None and (
        (usage.extra is not None and usage.extra.enabled) or usage.spend is not None or usage.no_limits))


def pace_labels(pm: dict[str, Any] | None) -> list[str]:
    if not pm or not pm.get("installed") or not pm.get("enabled"):
        return []
    if pm.get("target") is None or pm.get("constrained_window") not in ("5h", "7d"):
        return []
    return [target_label(pm["constrained_window"])]


def target_label(window: str) -> str:
    return "5-Hour Target:" if window == "5h" else "7-Day Target:"


def pace_idle_age(pm: dict[str, Any], now: float | None) -> float | None:
    """Seconds since Pace Maker's last decision when that decision is too old to hold now."""
    from statusline.sources.pace_maker_state import DECISION_MAX_AGE

    at = pm.get("decided_at")
    if not isinstance(at, (int, float)) or isinstance(at, bool):
        return None
    age = (now - at) if now is not None else None
    if pm.get("idle") is True or (age is not None and age > DECISION_MAX_AGE):
        return age if age is not None else 0.0
    return None


def pace_rows(pm: dict[str, Any] | None, inner: int, label_cells: int,
              now: float | None = None) -> list[Text]:
    """The seed's Pace Maker block; nothing when Pace Maker is not installed."""
    if not pm or not pm.get("installed"):
        return []
    head = line(f"{ICON['pace']} Pace Maker: ")
    enabled = pm.get("enabled") is True
    idle_age = pace_idle_age(pm, now) if enabled else None
    if idle_age is not None:
        pm = {**pm, "throttling": False}  # an old decision says nothing about now
        head.append("IDLE", style=STYLE["muted"])
    elif not enabled:
        head.append("INACTIVE", style=STYLE["muted"])
    elif pm.get("throttling"):
        head.append(f"{ICON['warn']} THROTTLING", style="bold " + STYLE["high"])
    else:
        head.append(f"{ICON['check']} ON PACE", style="bold " + STYLE["ok"])
    rows = [head]
    if idle_age is not None and idle_age > 0:
        rows.append(line((f"Last decision: {duration(idle_age)} ago", STYLE["muted"])))
    problem = pm.get("problem")
    if enabled:
        target = pm.get("target")
        if isinstance(target, (int, float)) and pm.get("constrained_window") in ("5h", "7d"):
            label = target_label(pm["constrained_window"])
            rows.append(bar_row(label, float(target), label_cells, inner, style=STYLE["info"]))
        dev = pm.get("deviation")
        if isinstance(dev, (int, float)):
            word = "over budget" if dev > 0 else "under budget"
            rows.append(line("Deviation: ", (f"{dev:+.1f}% ({word})", STYLE["high" if dev > 0 else "ok"])))
        delay = pm.get("delay_seconds")
        if pm.get("throttling") and isinstance(delay, (int, float)) and 0 < delay <= 3600:  # bounded, as read
            rows.append(line(f"{ICON['delay']} Next delay: {int(delay)}s per tool use"))
        if pm.get("algorithm") == "adaptive":
            strategy = pm.get("strategy")
            rows.append(line(f"Algorithm: adaptive/{strategy}" if strategy else "Algorithm: adaptive"))
        else:
            rows.append(line("Algorithm: legacy"))
        tempo = pm.get("tempo")
        if isinstance(tempo, bool):
            rows.append(line("Tempo: ", ("enabled", STYLE["ok"]) if tempo else ("disabled", STYLE["muted"])))
    if isinstance(problem, str) and problem:
        rows.append(para(f"{ICON['warn']} {problem}", STYLE["warn"]))
    return rows


def console_rows(c: dict[str, Any], inner: int) -> list[Text]:
    """Console mode: the current user's Claude Code spending this month."""
    rows: list[Text] = []
    if c.get("organization"):
        rows.append(line(f"{ICON['org']} {c['organization']}"))
        rows.append(line(""))
    month = month_title(c.get("month"))
    heading = f"Month-to-Date ({month})" if month else "Month-to-Date"
    for deco in ("\u2550\u2550\u2550 ", "\u2550 ", ""):
        text = f"{deco}{heading}{deco[::-1]}"
        if cell_len(text) <= inner or not deco:
            rows.append(line((text, "bold")))
            break
    rows.append(line("Your Claude Code Usage: ", (money(c.get("mtd_usd")), "bold " + STYLE["info"])))
    if c.get("email"):
        rows.append(line((f"({c['email']})", STYLE["muted"])))
    if c.get("email_known") is False:
        org = f" of {c['organization']}" if c.get("organization") else ""
        rows.append(para(f"{ICON['warn']} {c.get('email')} is not one of the users{org}: nobody's costs match it. "
                         "Set CLAUDE_USAGE_EMAIL to the email you sign in to the Console with.", STYLE["warn"]))
    projected = c.get("projected_usd")
    rate = c.get("rate_usd_per_hour")
    if isinstance(projected, (int, float)) or isinstance(rate, (int, float)):
        rows.append(line(""))
    if isinstance(projected, (int, float)):
        raw_mtd = c.get("mtd_usd")
        mtd = raw_mtd if isinstance(raw_mtd, (int, float)) else 0.0
        value = f"{money(projected)} (+{money(max(0.0, projected - mtd))})"
        label = "Projected by end of month:"
        if cell_len(label) + 1 + cell_len(value) <= inner:
            rows.append(line(f"{label} ", (value, "bold")))
        else:
            rows.append(line(label))
            rows.append(line("  ", (value, "bold")))
    if isinstance(rate, (int, float)):
        note = " (month avg)" if c.get("rate_window") == "month" else ""
        rows.append(line(f"Rate: {money(rate)}/hour", (note, STYLE["muted"])))
    return rows


SERVICE_TITLES = {"outage": ("an outage", "crit"), "degraded": ("degraded performance", "warn"),
                  "incident": ("an incident", "warn")}


def service_rows(snapshot: Snapshot | None) -> list[Text]:
    """Anthropic's status page, while it names a problem touching Claude Code or the API: the
    state, the incident's name and its link (``fetch/status_page``)."""
    svc = snapshot.extra.get("service") if snapshot is not None else None
    if not isinstance(svc, dict) or svc.get("state") not in SERVICE_TITLES:
        return []
    title, level = SERVICE_TITLES[svc["state"]]
    out = [line((f"{ICON['warn']} Anthropic reports {title}", STYLE[level]))]
    name = clean.text(svc.get("name"), 120)
    if name:
        out.append(para("   " + name, STYLE["muted"]))
    if isinstance(svc.get("link"), str) and svc["link"].startswith("https://"):
        out.append(line(("   " + clean.text(svc["link"], 200), STYLE["muted"])))
    return out


def status_rows(snapshot: Snapshot | None, now: float, ttl: float, tz: tzinfo | None,
                has_data: bool, problem: str | None, kind_of_panel: str = "code") -> list[Text]:
    """What is wrong and how to fix it; empty when all is well."""
    rows: list[Text] = []
    if problem:
        rows.append(para(f"{ICON['warn']} {problem}", STYLE["warn"]))
    if snapshot is None:
        if not problem:
            rows.append(para("Waiting for the first update\u2026", STYLE["muted"]))
        return rows
    backoff = snapshot.backoff
    if backoff and backoff.kind == "rate_limited" and backoff.until and backoff.until.timestamp() > now:
        until = clock(math.ceil(backoff.until.timestamp() / 60) * 60, tz, "%H:%M")  # a wait rounds up
        rows.append(para(f"{ICON['warn']} Rate limited until {until}", STYLE["warn"]))
    err = snapshot.last_error
    kind = err.kind if err else None
    words = CONSOLE_AUTH_WORDS if snapshot.mode == "console" else AUTH_WORDS
    if kind in words:
        rows.append(para(f"{ICON['warn']} {words[kind]}", STYLE["crit"]))
    elif kind == "no_credentials" and kind_of_panel == "console":
        rows.append(para(f"{ICON['warn']} No Admin API key", STYLE["crit"]))
        rows.append(para(NO_ADMIN_KEY_FIX, STYLE["muted"]))
    elif kind == "no_credentials":
        rows.append(para(f"{ICON['warn']} No credentials found", STYLE["crit"]))
        rows.append(para(NO_CREDS_FIX, STYLE["muted"]))
    elif err is not None and kind != "rate_limited" and (not has_data or is_stale(snapshot, now, ttl)):
        rows.append(para(f"{ICON['warn']} {err.message or kind}", STYLE["error"]))
    if not has_data and err is None and not problem:
        rows.append(para("Waiting for the first update\u2026", STYLE["muted"]))
    return rows


def is_stale(snapshot: Snapshot | None, now: float, ttl: float) -> bool:
    """Older than two TTLs: the fetcher has missed at least one turn."""
    fetched = snapshot.data_fetched_at() if snapshot else None
    return fetched is None or now - fetched.timestamp() > 2 * ttl


def updated_row(snapshot: Snapshot | None, now: float, ttl: float, tz: tzinfo | None) -> Text:
    fetched = snapshot.data_fetched_at() if snapshot else None
    if fetched is None:
        return line(("Updated: never", STYLE["muted"]))
    ts = fetched.timestamp()
    row = line(("Updated: " + clock(ts, tz), STYLE["muted"]))
    if is_stale(snapshot, now, ttl):
        row.append(f" ({duration(now - ts)} ago)", style=STYLE["warn"])
    return row


def status(snapshot: Snapshot | None, now: float, ttl: float, has_credentials: bool = True) -> str:
    """The named freshness state of ``--json``: the line's own rule, on the same view."""
    from statusline.cache import lineview

    view = lineview.build(snapshot, ttl=ttl, cred_sig=None) if snapshot is not None else None
    return segments.status(view, now, has_credentials)


# --- the box ------------------------------------------------------------------------------


def panel_mode(snapshot: Snapshot | None, mode: str | None) -> str:
    if snapshot is not None and snapshot.mode:
        return snapshot.mode
    return "console" if mode == "console" else "code"


def rows(snapshot: Snapshot | None, now: float, *, ttl: float, inner: int, tz: tzinfo | None = None,
         problem: str | None = None, mode: str | None = None, samples: Sequence[Any] = (),
         ascii_only: bool = False, options: dict[str, Any] | None = None,
         thresholds: tuple[float, float, float] | None = None, numbers: str = "used") -> list[Text]:
    """Every row inside the box, blank rows separating the seed's sections."""
    sections: list[list[Text]] = []
    kind = panel_mode(snapshot, mode)
    has_data = False
    if snapshot is not None and kind == "console":
        if snapshot.console:
            has_data = True
            sections.append(console_rows(snapshot.console, inner))
    elif snapshot is not None:
        sections.append(profile_rows(snapshot.profile, inner))
        pm = snapshot.pace_maker
        labels = [lbl for lbl, _ in usage_windows(snapshot.usage)] + pace_labels(pm)
        if snapshot.usage and snapshot.usage.extra and snapshot.usage.extra.enabled:
            labels.append("Usage credits:")
        if snapshot.usage and snapshot.usage.spend and snapshot.usage.spend.percent is not None:
            labels.append("Spend limit:")
        label_cells = max((cell_len(lbl) for lbl in labels), default=0)
        has_data = has_usage(snapshot.usage)
        fetched = snapshot.data_fetched_at()
        sections.append(usage_rows(snapshot.usage, now, inner, label_cells, tz, samples, ascii_only, options,
                                   fetched.timestamp() if fetched else None, thresholds, numbers))
        sections.append(pace_rows(pm, inner, label_cells, now))
    sections.append(service_rows(snapshot))
    sections.append(status_rows(snapshot, now, ttl, tz, has_data, problem, kind))
    sections.append([updated_row(snapshot, now, ttl, tz)])
    out: list[Text] = []
    for section in sections:
        if section:
            if out:
                out.append(line(""))
            out.extend(section)
    return out


def build(snapshot: Snapshot | None, now: float, *, ttl: float, width: int, tz: tzinfo | None = None,
          problem: str | None = None, mode: str | None = None, samples: Sequence[Any] = (),
          ascii_only: bool = False, options: dict[str, Any] | None = None,
          thresholds: tuple[float, float, float] | None = None, numbers: str = "used") -> RenderableType:
    """The panel as a rich renderable, ``min(width, BOX_MAX)`` columns wide.

    ``samples`` are history samples (``history.load``): with them each window gets a
    sparkline, its rate, ETA and pace; ``ascii_only`` draws the sparkline in ASCII;
    ``options`` go to ``forecast.forecast`` (``min_span``, ``weekdays``); ``thresholds``
    (warn, high, crit) colour the bars as config.toml's ``[thresholds]`` say, as on the line;
    ``numbers`` shows each window's share ``used`` or ``left``, as the line does.
    """
    outer = box_width(width)
    body = rows(snapshot, now, ttl=ttl, inner=outer - PAD, tz=tz, problem=problem, mode=mode,
                samples=samples, ascii_only=ascii_only, options=options, thresholds=thresholds, numbers=numbers)
    return Panel(
        Group(*body),
        title=Text(TITLES[panel_mode(snapshot, mode)], style="bold"),
        title_align="left",
        box=box.SQUARE,
        width=outer,
        padding=(0, 1),
    )


def text_console(width: int, color: bool) -> Console:
    """A console that ignores the environment: what it renders depends on its arguments only."""
    return Console(
        file=io.StringIO(),
        width=width,
        color_system="256" if color else None,
        force_terminal=color,
        force_interactive=False,
        no_color=not color,
        highlight=False,
        markup=False,
        emoji=False,
        legacy_windows=False,
        _environ={},
    )


def render_text(snapshot: Snapshot | None, now: float, *, ttl: float, width: int, color: bool,
                tz: tzinfo | None = None, problem: str | None = None, mode: str | None = None,
                samples: Sequence[Any] = (), ascii_only: bool = False,
                options: dict[str, Any] | None = None,
                thresholds: tuple[float, float, float] | None = None, numbers: str = "used") -> str:
    """The box as text: ANSI styled when ``color``, plain (no escape code at all) otherwise."""
    console = text_console(width, color)
    console.print(build(snapshot, now, ttl=ttl, width=width, tz=tz, problem=problem, mode=mode,
                        samples=samples, ascii_only=ascii_only, options=options, thresholds=thresholds,
                        numbers=numbers))
    return console.file.getvalue().rstrip("\n")  # type: ignore[attr-defined]


__all__ = ["build", "render_text", "status", "duration", "box_width", "BOX_MAX"]
