"""Claude Code's statusLine input as readings. Hot-path safe: imports no more than it must.

Claude Code (2.1.80+) puts ``rate_limits`` in the input of every statusLine run for a
subscriber login: ``used_percentage`` (2.1.90 passes utilization x 100 with float noise and
150 for 1.5; newer versions round to 0.1 and cap at 100) and ``resets_at`` in epoch seconds.
It drops a window once that window's reset has passed. Gateways add ``spend_limit``. Every
number is range-checked here (a reset in milliseconds or microseconds is scaled; NaN, strings,
negatives or a reset that is no plausible time are dropped) and every string cleaned.
"""


from statusline.cache import oslite
from statusline.core import clean
from statusline.core import readings as readings_mod

# A reset more than this far from now is not one we believe (7-day windows, a monthly period).
RESET_AHEAD_S = 40 * 86400.0
RESET_PAST_S = 400 * 86400.0
RATE_KEYS = ("five_hour", "seven_day")


def _obj(v):
    return v if isinstance(v, dict) else {}


def reset_epoch(value, now):
    """Epoch seconds of a reset, scaled from ms/us when needed; None when implausible."""
    at = clean.epoch(value)
    if at is None or not (now - RESET_PAST_S <= at <= now + RESET_AHEAD_S):
        return None
    return at


PATH_MAX = 4096
SESSION_MAX = 256  # a session id longer than this is cut before it is hashed: only ever a key


def transcript_time(data, now, config_dir=None):
    """When the session last had traffic: its transcript's modification time, bounded by ``now``;
    None when the path is missing, not a regular file (a FIFO, a directory, a link) or cannot be
    stat'ed. Only a ``stat``, and only of a path where Claude Code keeps transcripts: inside
    ``config_dir``'s ``projects`` folder, with no ``..`` in it, the last part not followed if a
    link. An outside path (a mount whose lookup hangs, another user's files) is never looked up:
    a ``stat`` cannot be given a deadline, so the hook would wait as long as the mount does."""
    path = _obj(data).get("transcript_path")
    if not isinstance(path, str) or not 0 < len(path) <= PATH_MAX or "\0" in path:
        return None
    if config_dir is not None:
        root = config_dir.rstrip("/") + "/projects/"
        if not path.startswith(root) or "/../" in path + "/" or "/./" in path + "/" or "//" in path:
            return None
    try:
        st = oslite.lstat(path)
    except (OSError, ValueError):
        return None
    if st.st_mode & 0o170000 != 0o100000:  # S_ISREG, without importing ``stat``
        return None
    return readings_mod.observed_at(st.st_mtime, now)


def session_key(data, fnv):
    """The session as a bounded key (a hash; never shown), or "-" when there is none."""
    sid = _obj(data).get("session_id")
    if not isinstance(sid, str) or not sid:
        return "-"
    return fnv(sid[:SESSION_MAX])


def numbers(found):
    """What a session's readings say, without when: tells a replay from a new answer."""
    return [(r[0], round(r[2], 3), None if r[3] is None else int(r[3])) for r in found]


SESSIONS_KEPT = 512  # sessions remembered; the least recently seen goes first


def first_seen(sessions, key, found, now, keep=SESSIONS_KEPT):
    """(when these numbers were first seen for this session, the updated session table).
    ``sessions`` maps a session key to ``[numbers, first seen, last seen]`` (two-item entries of
    older versions read as last seen then). When more than ``keep`` are known, those seen
    longest ago go: an idle session that still replays its numbers stays known, so its replay
    is never taken for a new answer while busier sessions come and go."""
    table = dict(sessions) if isinstance(sessions, dict) else {}
    sig = numbers(found)
    entry = table.get(key)
    at = now
    if isinstance(entry, (list, tuple)) and len(entry) in (2, 3) and entry[0] == sig:
        seen = readings_mod.observed_at(entry[1], now)
        if seen is not None:
            at = seen
    table[key] = [sig, at, now]
    if len(table) > keep:
        def last(kv):
            v = kv[1]
            if isinstance(v, (list, tuple)) and len(v) in (2, 3) and isinstance(v[-1], (int, float)):
                return v[-1]
            return 0

        table = dict(sorted(table.items(), key=last, reverse=True)[:keep])
    return at, table


def stamped(found, at):
    """``found`` readings observed at ``at``."""
    return [r[:4] + (at, r[5]) for r in found]


def readings(data, now):
    """``rate_limits`` windows as ``readings`` tuples observed ``now`` (the hook re-stamps them
    with when the session heard them: ``transcript_time``, else ``first_seen``)."""
    rl = _obj(_obj(data).get("rate_limits"))
    out = []
    for key in RATE_KEYS:
        w = _obj(rl.get(key))
        pct = clean.percent(w.get("used_percentage"))
        if pct is None:
            continue
        resets = reset_epoch(w.get("resets_at"), now)
        if resets is None and w.get("resets_at") is not None:
            continue  # a reset we cannot believe: the whole reading is suspect
        out.append((key, None, pct, resets, now, "claude-code"))
    return out


def present_keys(data):
    """Which rate windows the input names at all; None when it carries no ``rate_limits``."""
    rl = _obj(data).get("rate_limits")
    if not isinstance(rl, dict):
        return None
    return [k for k in RATE_KEYS if isinstance(rl.get(k), dict)]


def spend(data, now):
    """A gateway's ``rate_limits.spend_limit`` as a plain dict for the line view, or None."""
    s = _obj(_obj(_obj(data).get("rate_limits")).get("spend_limit"))
    pct = clean.percent(s.get("used_percentage"))
    if pct is None:
        return None
    return {"pct": pct, "used": clean.finite(s.get("used_usd"), 0), "limit": clean.finite(s.get("limit_usd"), 0),
            "currency": "USD", "period": clean.text(s.get("period"), 20), "observed": now}


def version(data):
    """Claude Code's version (``2.1.90``) when it looks like one, else None."""
    v = _obj(data).get("version")
    if not isinstance(v, str) or not 1 <= len(v) <= 32:
        return None
    parts = v.split(".")
    if len(parts) < 2 or not all(p.isdigit() and p.isascii() for p in parts[:3]):
        return None
    return v if all(ch.isalnum() or ch in ".-+" for ch in v) and v.isascii() else None


def model_name(data):
    m = _obj(data).get("model")
    m = _obj(m)
    return clean.text(m.get("display_name"), 40) or clean.text(m.get("id"), 40)


def context_percent(data):
    return clean.percent(_obj(_obj(data).get("context_window")).get("used_percentage"))


def session_cost(data):
    return clean.finite(_obj(_obj(data).get("cost")).get("total_cost_usd"), 0, 1e9)


EFFORTS = ("low", "medium", "high", "xhigh", "max")
PR_STATES = ("approved", "pending", "changes_requested", "draft")
VIM_MODES = ("INSERT", "NORMAL", "VISUAL", "VISUAL LINE")
NAME_MAX = 60  # a branch, a session or an agent name on the line: longer is cut with an ellipsis
TOKENS_MAX = 1e9


def _text(value, limit=NAME_MAX):
    return clean.text(value, limit) if isinstance(value, str) else None


def _tokens(value):
    v = clean.finite(value, 0, TOKENS_MAX)
    return None if v is None else int(v)


def _basename(path):
    if not isinstance(path, str) or not path or len(path) > PATH_MAX:
        return None
    return _text(path.rstrip("/").rpartition("/")[2] or path)


def cwd(data):
    """The session's folder (where its git repository is looked for): absolute, bounded, no NUL;
    else None."""
    d = _obj(data)
    for value in (_obj(d.get("workspace")).get("current_dir"), d.get("cwd")):
        if isinstance(value, str) and value.startswith("/") and len(value) <= PATH_MAX and "\0" not in value:
            return value
    return None


def session(data, now):
    """What Claude Code's input says of the session, for the session's items (``render/items``):
    a plain dict, every string cleaned (``core/clean``) and every number range-checked here, at
    the boundary; a field that is absent, null or out of range is None, and its item is left
    out. (A dict, not a dataclass: the hook is on the hot path, and ``dataclasses`` costs more
    to import than the rest of it.)"""
    d = _obj(data)
    cw, cost = _obj(d.get("context_window")), _obj(d.get("cost"))
    ws, wt, pr, pc = _obj(d.get("workspace")), _obj(d.get("worktree")), _obj(d.get("pr")), _obj(d.get("prompt_cache"))
    repo = _obj(ws.get("repo"))
    usage = _obj(cw.get("current_usage"))
    parts = [_tokens(usage.get(k)) for k in ("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")]
    used = sum(parts) if usage and all(p is not None for p in parts) else _tokens(cw.get("total_input_tokens"))
    effort = _obj(d.get("effort")).get("level")
    state = pr.get("review_state")
    owner, name = _text(repo.get("owner"), 40), _text(repo.get("name"), 60)
    number = clean.finite(pr.get("number"), 1, 1e9)
    style = _text(_obj(d.get("output_style")).get("name"), 40)
    expires = clean.epoch(pc.get("expires_at")) if pc.get("expires_at") is not None else None
    vim = _obj(d.get("vim")).get("mode")
    return {
        "model": model_name(d),
        "effort": effort if effort in EFFORTS else None,
        "thinking": _obj(d.get("thinking")).get("enabled") is True,
        "fast": d.get("fast_mode") is True,
        "context_pct": context_percent(d),
        "context_tokens": used,
        "context_size": _tokens(cw.get("context_window_size")) or None,
        "cost": session_cost(d),
        "duration_s": None if clean.finite(cost.get("total_duration_ms"), 0, 1e13) is None
        else cost["total_duration_ms"] / 1000.0,
        "added": _tokens(cost.get("total_lines_added")),
        "removed": _tokens(cost.get("total_lines_removed")),
        "branch": _text(wt.get("branch")),
        "worktree": _text(wt.get("name")) or _text(ws.get("git_worktree")),
        "repo": "%s/%s" % (owner, name) if owner and name else None,
        "pr": None if number is None else int(number),
        "pr_state": state if state in PR_STATES else None,
        "pr_mr": pr.get("kind") == "mr",
        "session": _text(d.get("session_name")),
        "cache_warm": pc.get("warm") if isinstance(pc.get("warm"), bool) else None,
        "cache_expires": expires if expires is not None and now - 86400 < expires < now + 2 * 86400 else None,
        "vim": vim if vim in VIM_MODES else None,
        "agent": _text(_obj(d.get("agent")).get("name"), 40),
        "style": None if style in (None, "default") else style,
        "project": _basename(ws.get("project_dir")) or _basename(ws.get("current_dir")) or _basename(d.get("cwd")),
    }


# Where Claude Code starts to compact a conversation, as its own code computes it (2026):
# the context window less the room kept for the answer is the "effective" window, and
# auto-compact starts a buffer below that (anthropics/claude-code #31806: 167k of 200k, 967k
# of 1M, as ccstatusline's "usable" context counts too). CLAUDE_AUTOCOMPACT_PCT_OVERRIDE can
# only lower the point (a share of the effective window). The numbers move between versions:
# docs/configuration.md says what they rest on.
OUTPUT_RESERVE = 20000
COMPACT_BUFFER = 13000
AUTOCOMPACT_ENV = "CLAUDE_AUTOCOMPACT_PCT_OVERRIDE"


def autocompact_point(size, env=None):
    """Tokens at which auto-compact starts in a context window of ``size`` tokens."""
    effective = size - OUTPUT_RESERVE
    point = effective - COMPACT_BUFFER
    raw = (env or {}).get(AUTOCOMPACT_ENV)
    if raw:
        try:
            share = float(raw)
        except ValueError:
            share = None
        if share is not None and 0 < share <= 100:
            point = min(point, effective * share / 100.0)
    return point if point > 0 else None


def usable_percent(s, env=None):
    """The share of auto-compact's point the context holds (``[line] context = "usable"``)."""
    size, used = s.get("context_size"), s.get("context_tokens")
    if not size:
        return None
    point = autocompact_point(size, env)
    if point is None:
        return None
    if used is None:
        pct = s.get("context_pct")
        if pct is None:
            return None
        used = pct * size / 100.0
    return clean.percent(used * 100.0 / point)
