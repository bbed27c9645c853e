"""What the line says: pure functions from a line view and a time to spans.

A span is ``(text, level)``; ``dialects`` turns spans into a target's escape codes. Nothing
here reads a file or the clock, so tests fix both. Hot-path module: no imports.

Thresholds follow the seed: 0-50 ok (green), 51-80 warn (yellow), 81-99 high (orange),
100 and over crit (red), judged on the percentage as displayed.
"""

from statusline import readings

GLYPHS = {
    "emoji": {"clock": "\u23f0", "pause": "\u23f8", "warn": "\u26a0", "sep": " \u00b7 ", "age": "\u00b7",
              "arrow": "\u2192"},
    "plain": {"clock": "\u21bb", "pause": "\u2016", "warn": "!", "sep": " \u00b7 ", "age": "\u00b7", "arrow": "\u2192"},
    "ascii": {"clock": "r", "pause": "||", "warn": "!", "sep": " | ", "age": "~", "arrow": "->"},
}

LABELS = {"five_hour": "5h", "seven_day": "7d", "routines": "7d routines", "extra": "extra"}
WEEKLY = ("seven_day", "routines", "scoped")

# Statuses of --format json, in the contract's words.
AUTH = ("auth_expired", "auth_invalid")


def level(pct):
    if pct <= 50:
        return "ok"
    if pct <= 80:
        return "warn"
    if pct < 100:
        return "high"
    return "crit"


def percent(util):
    """Whole percent as shown: 56.99999999999999 reads 57, 99.9 reads 99 (orange), not 100 (red)."""
    return readings.display_percent(util)


def duration(seconds, sep=""):
    """Countdown: 40m, 1h40m, 2d3h on the line; with ``sep=" "`` 1h 40m, 2d 3h (the panel)."""
    s = max(0, int(seconds))
    if s < 60:
        return "%ds" % s
    m = s // 60
    if m < 60:
        return "%dm" % m
    h, m = divmod(m, 60)
    if h < 24:
        if not m:
            return "%dh" % h
        return "%dh%s%02dm" % (h, sep, m) if not sep else "%dh%s%dm" % (h, sep, m)
    d, h = divmod(h, 24)
    return "%dd%s%dh" % (d, sep, h) if h else "%dd" % d


def pick_windows(windows, now=None):
    """The windows worth a place on the line, in order, as they stand at ``now``.

    5-hour first; then the weekly limit closest to its end: the 7-day window, or a per-model
    or Routines weekly limit instead when it is higher. A window past its reset reads 0.
    """
    five = None
    weekly = None
    for w in windows or ():
        if not readings.is_reading(w):
            continue
        if now is not None:
            w = readings.live(w, now)
        if w[0] == "five_hour":
            five = w
        elif w[0] in WEEKLY and (weekly is None or w[2] > weekly[2]
                                 or (w[2] == weekly[2] and w[0] == "seven_day")):
            weekly = w
    return [w for w in (five, weekly) if w is not None]


def status(view, now, has_credentials=True):
    """The named freshness state: ok|stale|rate_limited|auth_expired|no_credentials|error."""
    if view is None:
        return "stale" if has_credentials else "no_credentials"
    s = view.get("status")
    if s == "no_credentials":
        return "no_credentials"
    if s in AUTH:
        return "auth_expired"
    until = view.get("backoff_until")
    if s == "rate_limited" and until and now < until:
        return "rate_limited"
    if view.get("fetched") is None:
        return "error" if s not in ("ok", None) else "stale"
    return "stale" if is_stale(view, now) else "ok"


def is_stale(view, now):
    """Data older than two TTLs: the fetcher has missed at least one turn."""
    fetched = view.get("fetched")
    return fetched is not None and now - fetched > 2 * (view.get("ttl") or 30)


def window_label(w):
    return "7d " + w[1] if w[0] == "scoped" else LABELS.get(w[0], w[0])


def window_spans(windows, now, g):
    spans = []
    for i, w in enumerate(windows):
        if i:
            spans.append((g["sep"], "muted"))
        pct = percent(w[2])
        spans.append(("%s %d%%" % (window_label(w), pct), level(pct)))
        resets = w[3]
        if i == 0 and resets is not None and resets > now:
            spans.append((" %s%s" % (g["clock"], duration(resets - now)), "text"))
    return spans


def money_spans(m):
    """Usage credits or a spend limit, shown when the account has no rate windows."""
    if not isinstance(m, dict):
        return []
    c, s = m.get("credits"), m.get("spend")
    if isinstance(s, dict) and s.get("pct") is not None:
        pct = percent(s["pct"])
        return [("spend %d%%" % pct, level(pct))]
    if isinstance(c, dict) and c.get("used") is not None:
        if c.get("limit"):
            pct = percent(100.0 * c["used"] / c["limit"])
            return [("credits %s/%s" % (money(c["used"]), money(c["limit"])), level(pct))]
        return [("credits %s" % money(c["used"]), "info")]
    return []


def money(x):
    return "$%.2f" % (x or 0.0)


def console_spans(c, g):
    spans = [("%s MTD" % money(c.get("mtd")), "info")]
    if c.get("projected") is not None:
        spans.append((" %s %s" % (g["arrow"], money(c.get("projected"))), "text"))
    if c.get("rate") is not None:
        avg = " avg" if c.get("window") == "month" else ""
        spans.append((g["sep"], "muted"))
        spans.append(("%s/h%s" % (money(c.get("rate")), avg), "text"))
    return spans


PACE_CRIT_DELAY = 60  # seconds per tool use from which throttling reads as critical


def pace_spans(p, g):
    """Pace Maker's segment: throttling (deviation, next delay), on pace, or unreadable."""
    if not p or not p.get("installed") or not p.get("enabled"):
        return []
    emoji = g is GLYPHS["emoji"]
    icon = "\U0001f3af" if emoji else "pace"
    gap = "" if emoji else " "
    if p.get("throttling"):
        dev = p.get("deviation")
        text = icon + ("%+d%%" % round(dev) if dev is not None else "")
        if p.get("delay_seconds") is not None:
            text += " %ds" % p["delay_seconds"]
        crit = (p.get("delay_seconds") or 0) >= PACE_CRIT_DELAY
        return [(g["sep"], "muted"), (text, "crit" if crit else "warn")]
    if p.get("problem"):
        return [(g["sep"], "muted"), (icon + gap + "?", "stale")]
    return [(g["sep"], "muted"), (icon + gap + "ok", "ok")]


ERROR_WORDS = {
    "no_credentials": "no credentials",
    "auth_expired": "login expired, run claude",
    "auth_invalid": "login rejected, run claude",
    "missing_scope": "token lacks user:profile",
    "rate_limited": "rate limited",
    "network_error": "offline",
    "server_error": "API error",
    "bad_response": "bad API answer",
    "no_email": "no email set",
    "unavailable": "console mode n/a",
}


# Console mode authenticates with an Admin API key, not a Claude Code login.
CONSOLE_WORDS = {
    "auth_invalid": "admin key rejected",
    "auth_expired": "admin key rejected",
    "missing_scope": "admin key lacks permission",
    "no_credentials": "no admin key",
}


def build(view, now, glyphs="emoji", has_credentials=True, note=None):
    """Spans for the whole line. ``note`` is a hot-path problem (e.g. unwritable cache)."""
    g = GLYPHS.get(glyphs, GLYPHS["emoji"])
    st = status(view, now, has_credentials)
    if view is None:
        if not has_credentials:
            return [("claude: no credentials", "warn")]
        return [("claude: " + note, "warn")] if note else [("claude \u2026", "stale")]

    console = view.get("mode") == "console"
    if console and view.get("console"):
        spans = console_spans(view["console"], g)
    else:
        spans = window_spans(pick_windows(view.get("windows"), now), now, g) or money_spans(view.get("money"))

    s = view.get("status")
    if not spans and view.get("no_limits") and s in (None, "ok"):
        return [("claude: no plan limits", "info")]
    if not spans:
        if st == "rate_limited":
            left = view["backoff_until"] - now
            return [("claude: %s%s" % (g["pause"], duration(left)), "warn")]
        word = CONSOLE_WORDS.get(s) if console and s in CONSOLE_WORDS else ERROR_WORDS.get(s)
        if word:
            return [("claude: " + word, "crit" if s in AUTH else "warn")]
        return [("claude \u2026", "stale")]

    spans += pace_spans(view.get("pace"), g)
    if st == "rate_limited":
        spans.append((" %s%s" % (g["pause"], duration(view["backoff_until"] - now)), "warn"))
    elif st == "auth_expired":
        spans.append((" %s %s" % (g["warn"], "key rejected" if console else "run claude"), "crit"))
    elif s == "missing_scope":
        spans.append((" %s scope" % g["warn"], "warn"))
    elif s == "no_email":
        spans.append((" %s no email" % g["warn"], "warn"))
    if is_stale(view, now):
        spans.append((" %s%s" % (g["age"], duration(now - view["fetched"])), "stale"))
    if note:
        spans.append((" %s%s" % (g["warn"], note), "warn"))
    return spans
