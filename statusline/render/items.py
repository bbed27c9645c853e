"""The session's items, drawn from what Claude Code's input says (``sources/claude_code.session``):
pure functions from that dict to spans ``(text, level)``. Hot-path module: no imports beyond the
line's own.

Every string here came from outside and was cleaned at the boundary; each still reaches its
target only through the target's escaping (``render/dialects``, ``render/themes``). An item
whose field is absent draws nothing, and the layout leaves it out without a word.
"""

from statusline.render import segments

MARKS = {  # per glyph set: thinking, fast mode, the branch, a PR's review states, a minus sign
    "emoji": {"think": "\u273b", "fast": "\u21af", "git": "\u2387 ", "minus": "\u2212",
              "approved": "\u2713", "changes_requested": "\u2717", "pending": "\u2026", "draft": "\u25cc"},
    "plain": {"think": "\u273b", "fast": "\u21af", "git": "\u2387 ", "minus": "\u2212",
              "approved": "\u2713", "changes_requested": "\u2717", "pending": "\u2026", "draft": "\u25cc"},
    "ascii": {"think": "*", "fast": ">", "git": "git:", "minus": "-",
              "approved": "ok", "changes_requested": "x", "pending": "?", "draft": "draft"},
}
PR_LEVELS = {"approved": "ok", "changes_requested": "crit", "pending": "warn", "draft": "muted"}
CACHE_SOON_S = 60.0  # a warm cache about to go cold is a warning


def tokens(n):
    """``12``, ``8.5k``, ``124k``, ``1.2M``."""
    if n < 1000:
        return "%d" % n
    if n < 10000:
        return ("%.1fk" % (n / 1000.0)).replace(".0k", "k")
    if n < 1000000:
        return "%dk" % (n // 1000)
    return ("%.1fM" % (n / 1000000.0)).replace(".0M", "M")


def context_share(s, mode):
    """The context's share shown: Claude Code's own ``used_percentage``, or (``usable``) the share
    of the point where auto-compact starts (``s["context_usable"]``)."""
    return s.get("context_usable") if mode == "usable" else s.get("context_pct")


def spans(name, s, glyphs, th=None, now=0.0, mode="window"):
    """One session item's spans, or [] when the input says nothing of it."""
    m = MARKS.get(glyphs) or MARKS["emoji"]
    if name == "model":
        return [(s["model"], "info")] if s.get("model") else []
    if name == "effort":
        if not s.get("effort"):
            return []
        marks = (" " + m["think"] if s.get("thinking") else "") + (" " + m["fast"] if s.get("fast") else "")
        return [(s["effort"] + marks, "text")]
    if name == "context":
        pct = context_share(s, mode)
        if pct is None:
            return []
        shown = segments.percent(pct)
        return [("ctx %d%%" % shown, segments.level(shown, th))]
    if name == "tokens":
        used, size = s.get("context_tokens"), s.get("context_size")
        if used is None:
            return []
        if not size:
            return [(tokens(used), "text")]
        return [("%s/%s" % (tokens(used), tokens(size)), segments.level(segments.percent(used * 100.0 / size), th))]
    if name == "cost":
        return [] if s.get("cost") is None else [("$%.2f" % s["cost"], "text")]
    if name == "duration":
        return [] if s.get("duration_s") is None else [(segments.duration(s["duration_s"]), "muted")]
    if name == "lines":
        added, removed = s.get("added"), s.get("removed")
        if added is None and removed is None:
            return []
        return [("+%d" % (added or 0), "ok"), (" %s%d" % (m["minus"], removed or 0), "crit")]
    if name == "git":
        where = s.get("git")
        return [(m["git"] + where, "text")] if where else []
    if name == "pr":
        if not s.get("pr"):
            return []
        state = s.get("pr_state")
        text = ("!%d" if s.get("pr_mr") else "#%d") % s["pr"]
        return [(text + (" " + m[state] if state else ""), PR_LEVELS.get(state, "text"))]
    if name == "cache":
        warm = s.get("cache_warm")
        if warm is None:
            return []
        if not warm:
            return [("cache cold", "stale")]
        expires = s.get("cache_expires")
        if expires is None:
            return [("cache warm", "ok")]
        left = expires - now
        return [("cache %s" % segments.duration(left), "warn" if left < CACHE_SOON_S else "ok")]
    if name in ("repo", "session", "vim", "agent", "style"):
        value = s.get(name)
        return [(value, "info" if name == "agent" else "muted" if name == "style" else "text")] if value else []
    if name == "cwd":
        return [(s["project"], "text")] if s.get("project") else []
    return []
