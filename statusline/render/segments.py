"""What the line says: pure functions from a line view and a time to spans.

A span is ``(text, level)``; ``dialects`` turns spans into a target's escape codes. Nothing
here reads a file or the clock, so tests fix both. Hot-path module: no imports.

Thresholds follow the seed: 0-50 ok (green), 51-80 warn (yellow), 81-99 high (orange),
100 and over crit (red), judged on the percentage as displayed.
"""

from statusline.core import items as item_names
from statusline.core import readings

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


THRESHOLDS = (50, 80, 100)  # up to warn ok, up to high warn, below crit high, from crit crit


def level(pct, th=None):
    warn, high, crit = th or THRESHOLDS
    if pct <= warn:
        return "ok"
    if pct <= high:
        return "warn"
    if pct < crit:
        return "high"
    return "crit"


def thresholds(cfg):
    """config.toml's ``[thresholds]`` from the view's ``config``, when well-formed."""
    th = cfg.get("thresholds") if isinstance(cfg, dict) else None
    if (isinstance(th, (tuple, list)) and len(th) == 3
            and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in th) and th[0] <= th[1] <= th[2]):
        return tuple(th)
    return None


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


def wait(seconds, sep=""):
    """A wait (a backoff, Retry-After): like ``duration`` but rounded *up* at the unit shown, so it
    never reads shorter than it is: 120 s read a moment later is 2m, not 1m; 61 s is 2m; 25h1m is 1d2h."""
    s = max(0, -int(-seconds // 1))  # whole seconds, up
    if s < 60:
        return "%ds" % s
    m = -(-s // 60)
    if m < 24 * 60:
        return duration(m * 60, sep)
    return duration(-(-m // 60) * 3600, sep)


def pick_windows(windows, now=None, items=None):
    """The windows worth a place on the line, in order, as they stand at ``now``.

    5-hour first; then the weekly limit closest to its end: the 7-day window, or a per-model
    or Routines weekly limit instead when it is higher. A window past its reset reads 0.
    ``items`` (config.toml's ``[line] items``) may leave out ``five_hour``, ``seven_day`` or
    ``scoped`` (per-model and Routines limits), and its order puts the weekly slot first.
    """
    if items is not None:
        allowed = set()
        if "five_hour" in items:
            allowed.add("five_hour")
        if "seven_day" in items:
            allowed.add("seven_day")
        if "scoped" in items:
            allowed.update(("scoped", "routines"))
        windows = [w for w in windows or () if isinstance(w, (tuple, list)) and w and w[0] in allowed]
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
    picked = [w for w in (five, weekly) if w is not None]
    if items is not None and len(picked) == 2:
        weekly_at = min(items.index(k) for k in ("seven_day", "scoped") if k in items)
        if weekly_at < items.index("five_hour"):
            picked.reverse()
    return picked


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


def window_spans(windows, now, g, marks=None, th=None, countdown=True, numbers="used"):
    """Each window as ``5h 78%`` (or ``5h 22% left``), coloured by the share used; the countdown
    after the first; the forecast's marks after each."""
    spans = []
    for i, w in enumerate(windows):
        if i:
            spans.append((g["sep"], "muted"))
        pct = percent(w[2])
        shown = "%s %d%%" % (window_label(w), pct) if numbers != "left" else "%s %d%% left" % (window_label(w),
                                                                                              left(w[2]))
        spans.append((shown, level(pct, th)))
        resets = w[3]
        if countdown and i == 0 and resets is not None and resets > now:
            spans.append((" %s%s" % (g["clock"], duration(resets - now)), "text"))
        if marks and w[0] in marks:
            spans += marks[w[0]]
    return spans


def money_spans(m, th=None):
    """Usage credits or a spend limit, shown when the account has no rate windows."""
    if not isinstance(m, dict):
        return []
    c, s = m.get("credits"), m.get("spend")
    if isinstance(s, dict) and s.get("pct") is not None:
        pct = percent(s["pct"])
        return [("spend %d%%" % pct, level(pct, th))]
    if isinstance(c, dict) and c.get("used") is not None:
        if c.get("limit"):
            pct = percent(100.0 * c["used"] / c["limit"])
            return [("credits %s/%s" % (money(c["used"]), money(c["limit"])), level(pct, th))]
        return [("credits %s" % money(c["used"]), "info")]
    return []


FORECAST_MATCH_S = 120.0  # a forecast is about the window whose reset is within this of its own


def forecast_spans(view, now, g, show_rate=False):
    """Per window key, the spans that follow it: ``⚠13:10`` when it is on course to reach 100 %
    before its reset (a warning; nothing when all is well, nothing once it is there: the
    percentage is red already), and its rate ``+24%/h`` with ``show_rate``.

    Reads ``view["forecast"]`` (see ``statusline.core.forecast``: plain values only).
    """
    fc = view.get("forecast") if view else None  # its clock times were formatted by the fetcher
    if not isinstance(fc, dict):
        return {}
    current = {w[0]: w for w in view.get("windows") or () if w[0] in ("five_hour", "seven_day")}
    out = {}
    for key, p in fc.items():
        w = current.get(key)
        if not isinstance(p, dict) or w is None:
            continue
        r = p.get("resets")
        if (r is None) != (w[3] is None) or (r is not None and abs(r - w[3]) > FORECAST_MATCH_S):
            continue  # the window has reset since: this forecast is about the old one
        spans = []
        rate = p.get("rate")
        if show_rate and isinstance(rate, (int, float)):
            spans.append(((" +%.0f%%/h" if rate >= 10 else " +%.1f%%/h") % rate, "muted"))
        eta = p.get("eta")
        if p.get("hits") and w[2] < 100 and isinstance(eta, (int, float)):
            when = p.get("eta_hm") if eta - now < 20 * 3600 else p.get("eta_day")
            spans.append((" %s%s" % (g["warn"], when or duration(eta - now)), "warn"))
        if spans:
            out[key] = spans
    return out


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
    if c.get("known") is False:  # a mistyped email matches nobody's costs: say so, not just $0.00
        spans.append((" %s unknown email" % g["warn"], "warn"))
    return spans


PACE_CRIT_DELAY = 60  # seconds per tool use from which throttling reads as critical


def pace_spans(p, g):
    """Pace Maker's segment: throttling (deviation, next delay), on pace, or unreadable."""
    if not p or not p.get("installed") or not p.get("enabled"):
        return []
    emoji = g is GLYPHS["emoji"]
    icon = "\U0001f3af" if emoji else "pace"
    gap = "" if emoji else " "
    if p.get("idle"):  # the last decision is too old to say anything about now
        return [(g["sep"], "muted"), (icon + gap + "idle", "stale")]
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


SERVICE_WORDS = {"outage": ("outage", "crit"), "degraded": ("degraded", "warn"), "incident": ("incident", "warn")}


def service_spans(view, g):
    """The outage marker (``⚠ outage``, ``⚠ degraded``, ``⚠ incident``) while Anthropic's status
    page names a problem touching Claude Code or the API (``view["service"]``), else []."""
    svc = view.get("service") if view else None
    state = svc.get("state") if isinstance(svc, dict) else None
    if state not in SERVICE_WORDS:
        return []
    word, lvl = SERVICE_WORDS[state]
    return [("%s %s" % (g["warn"], word), lvl)]


def left(util):
    """The share of a window left, as shown (100 minus the used share shown, never below 0)."""
    return max(0, 100 - percent(util))


# Groups that follow the one before them with no separator: the markers (a pause, "run claude",
# a note), which are about the whole line, and the data's age.
SUFFIXES = ("marks", "age")


def groups(view, now, glyphs="emoji", has_credentials=True, note=None, show_rate=False, items=None,
           numbers="used"):
    """The limits' part of the line as named groups ``(item, spans)``, for the layout
    (``render/layout``) to order, put in rows and fit: ``five_hour``, ``seven_day`` (the weekly
    slot), ``extra``, ``console``, ``pace``, ``status`` (the outage marker), ``age``, ``marks``;
    or one ``message`` group when there is nothing to show but a word. ``items`` (the chosen
    item names) leaves out what is not asked for; ``numbers`` is ``used`` or ``left``."""
    g = GLYPHS.get(glyphs, GLYPHS["emoji"])
    st = status(view, now, has_credentials)
    if view is None:
        if not has_credentials:
            return [("message", [("claude: no credentials", "warn")])]
        return [("message", [("claude: " + note, "warn")] if note else [("claude \u2026", "stale")])]

    cfg = view.get("config") if isinstance(view.get("config"), dict) else {}
    th = thresholds(cfg)
    items = item_names.DEFAULT if items is None else items
    shows = items.__contains__
    service = [("status", service_spans(view, g))] if shows("status") and service_spans(view, g) else []
    console = view.get("mode") == "console"
    out = []
    if console and view.get("console"):
        if shows("console"):
            out.append(("console", console_spans(view["console"], g)))
    else:
        picked = pick_windows(view.get("windows"), now, items)
        marks = forecast_spans(view, now, g, show_rate or shows("rate"))
        for i, w in enumerate(picked):
            name = "five_hour" if w[0] == "five_hour" else "seven_day"
            out.append((name, window_spans([w], now, g, marks, th, shows("reset") and i == 0, numbers)))
        if not out and shows("extra"):
            money = money_spans(view.get("money"), th)
            if money:
                out.append(("extra", money))

    s = view.get("status")
    if not out and view.get("no_limits") and s in (None, "ok"):
        return [("message", [("claude: no plan limits", "info")])] + service
    if not out:
        if st == "rate_limited":
            left_s = view["backoff_until"] - now
            return [("message", [("claude: %s%s" % (g["pause"], wait(left_s)), "warn")])] + service
        word = CONSOLE_WORDS.get(s) if console and s in CONSOLE_WORDS else ERROR_WORDS.get(s)
        if word:
            return [("message", [("claude: " + word, "crit" if s in AUTH else "warn")])] + service
        return [("message", [("claude \u2026", "stale")])] + service

    if shows("pace"):
        pace = pace_spans(view.get("pace"), g)[1:]  # without its separator: the layout adds one
        if pace:
            out.append(("pace", pace))
    out += service
    marks = []
    if st == "rate_limited":
        marks.append((" %s%s" % (g["pause"], wait(view["backoff_until"] - now)), "warn"))
    elif st == "auth_expired":
        marks.append((" %s %s" % (g["warn"], "key rejected" if console else "run claude"), "crit"))
    elif s == "missing_scope":
        marks.append((" %s scope" % g["warn"], "warn"))
    elif s == "no_email":
        marks.append((" %s no email" % g["warn"], "warn"))
    if is_stale(view, now) and shows("age"):
        out.append(("age", [(" %s%s" % (g["age"], duration(now - view["fetched"])), "stale")]))
    if note:
        marks.append((" %s%s" % (g["warn"], note), "warn"))
    if marks:
        out.append(("marks", marks))
    return out


def join(parts, g):
    """Groups ``(name, spans)`` as one list of spans: a separator between two groups, none
    before a suffix (``SUFFIXES``)."""
    spans = []
    for name, part in parts:
        if spans and name not in SUFFIXES:
            spans.append((g["sep"], "muted"))
        spans += part
    return spans


def build(view, now, glyphs="emoji", has_credentials=True, note=None, show_rate=False, numbers="used"):
    """Spans for the whole limits' line, in the order config.toml's ``[line] items`` gives
    (``groups`` joined; the markers after the limits). ``note`` is a hot-path problem (e.g. an
    unwritable cache)."""
    cfg = view.get("config") if view and isinstance(view.get("config"), dict) else {}
    items = cfg.get("items") if isinstance(cfg.get("items"), (tuple, list)) else None
    parts = groups(view, now, glyphs, has_credentials, note, show_rate, items, numbers)
    return join(in_order(parts, items), GLYPHS.get(glyphs, GLYPHS["emoji"]))


def in_order(parts, items):
    """``parts`` in the order of ``items`` (the groups it does not name keep their place after the
    ones it does: a message first; the markers and the age right after the last limit)."""
    if not items:
        return parts
    rank = {name: i for i, name in enumerate(items)}
    if "seven_day" not in rank and "scoped" in rank:
        rank["seven_day"] = rank["scoped"]
    body = [p for p in parts if p[0] not in SUFFIXES]
    tail = [p for p in parts if p[0] in SUFFIXES]
    body.sort(key=lambda p: rank.get(p[0], -1 if p[0] == "message" else len(rank)))
    return body + tail
