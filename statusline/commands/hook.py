"""``claude-usage-line --claude-code``: Claude Code's statusLine command.

Claude Code pipes a JSON object to the command on stdin and shows what it prints. That
input carries ``rate_limits`` (Pro/Max, since 2.1.80): the freshest numbers there are, at no
API cost. We harvest them into the shared cache (``harvest.bin``) so tmux and prompts show
them too and the fetcher skips the API while they are fresh.

This runs on every Claude Code event, so it is held to the line's budget: no ``json`` (its
``re`` alone costs most of that budget; ``jsonlite`` reads the one small object), no
``subprocess`` unless ``--chain`` asks for it. Claude Code cancels a run that takes too long
and once left stdin open with no EOF, so stdin is read with a deadline and parsing stops at
the first complete JSON object.
"""

from statusline.cache import cache_view, fastpaths, oslite, safefiles
from statusline.core import items as item_names
from statusline.core import jsonlite, readings
from statusline.core.clean import is_control
from statusline.render import dialects, layout, segments
from statusline.sources import claude_code

STDIN_DEADLINE_S = 0.5
STDIN_LIMIT = 1 << 20
CHAIN_TIMEOUT_S = 3.0
HARVEST_MODES = ("auto", "code")
VERSION_FILE = "claude-code.version"
REWRITE_S = 5.0  # unchanged readings are written again at most this often (see ``unchanged``)
POLL_S = 0.002  # a pipe with nothing in it yet is looked at again this often


def read_stdin(fd=0, deadline=STDIN_DEADLINE_S, limit=STDIN_LIMIT):
    """Read until EOF, a complete JSON object, ``limit`` bytes or the deadline: (the bytes,
    the object when one was complete, else None), so the input is parsed once.

    Claude Code's stdin is a pipe, whose input is there by the time Python has started: it is
    read non-blocking, looking again every ``POLL_S`` until the deadline, and put back as it
    was. ``select`` (an import that costs more than the rest of the read) is left to the rest
    (a terminal, a socket), whose blocking mode is shared with other programs."""
    import time

    end = time.monotonic() + deadline
    try:
        kind = oslite.fstat(fd).st_mode & oslite.S_IFMT
        was = oslite.get_blocking(fd)
    except OSError:
        return b"", None
    pipe = kind in (oslite.S_IFIFO, oslite.S_IFREG)  # a pipe, or a file: neither needs select
    if pipe and was:
        try:
            oslite.set_blocking(fd, False)
        except OSError:
            pipe = False
    buf = b""
    obj = None
    try:
        while len(buf) < limit:
            left = end - time.monotonic()
            if left <= 0:
                break
            if not pipe and not _ready(fd, left):
                break
            try:
                chunk = oslite.read(fd, 65536)
            except BlockingIOError:
                time.sleep(min(POLL_S, left))
                continue
            except OSError:
                break
            if not chunk:
                break
            buf += chunk
            if buf.rstrip().endswith(b"}"):
                try:
                    obj, _ = jsonlite.decode_prefix(buf.decode("utf-8", "replace").strip())
                    break  # one whole object is all Claude Code sends
                except (ValueError, RecursionError):
                    continue
    finally:
        if pipe and was:
            try:
                oslite.set_blocking(fd, True)
            except OSError:
                pass
    if len(buf) > limit:
        return buf[:limit], None
    return buf, obj if isinstance(obj, dict) else None


def _ready(fd, timeout):
    import select

    try:
        return bool(select.select([fd], [], [], timeout)[0])
    except (OSError, ValueError):
        return False


def parse_input(raw):
    """The statusLine object, or {} for empty, partial or malformed input."""
    text = raw.decode("utf-8", "replace").strip()
    if not text:
        return {}
    try:
        obj, _ = jsonlite.decode_prefix(text)
    except (ValueError, RecursionError):
        return {}
    return obj if isinstance(obj, dict) else {}


SESSIONS_FILE = "sessions.bin"  # the hook's own table of sessions (first_seen); the line never reads it


def updated_harvest(old, new, present, spend, now, session="-", heard=None, out=None, sessions=None):
    """The harvest document after one input: merged readings; a window the input no longer
    names and whose reset has passed is gone (Claude Code drops a window once it resets).

    ``new`` readings are stamped with when the session heard them: ``heard`` (its transcript's
    modification time) when known, else the first time this session handed us these numbers
    (an idle session replays the same ones on every refresh: they stay as old as they are),
    from ``sessions`` (a dict: the session table, updated in place; without it every reading
    counts as heard ``now``). The stamped readings are appended to ``out`` when given."""
    old = old or {}
    kept = [w for w in old.get("windows") or () if readings.is_reading(w)]
    if present is not None:
        kept = [w for w in kept if w[0] in present or w[3] is None or w[3] > now]
    if new:
        first = now
        if sessions is not None:
            first, table = claude_code.first_seen(sessions, session, new, now)
            sessions.clear()
            sessions.update(table)
        new = claude_code.stamped(new, heard if heard is not None else first)
        if out is not None:
            out.extend(new)
    return {"v": cache_view.HARVEST_VERSION, "fetched": now, "windows": readings.merge(kept, new, now=now),
            "spend": spend if spend is not None else old.get("spend")}


def _sessions(acct, old):
    """The session table: ``sessions.bin`` (ours; kept apart from ``harvest.bin``, which every
    line reads, so it can remember many sessions for free), else an older harvest's own."""
    table = safefiles.load_marshal(oslite.join(acct, SESSIONS_FILE))
    if isinstance(table, dict):
        return table
    table = (old or {}).get("sessions")
    return dict(table) if isinstance(table, dict) else {}


def _harvest_doc(old):
    return old if isinstance(old, dict) and old.get("v") == cache_view.HARVEST_VERSION else None


def unchanged(old, doc, now):
    """Whether ``doc`` says what ``old`` already says, but for when it was observed, and
    ``old`` is at most ``REWRITE_S`` old: then nothing is written (no lock, no history sample);
    the freshness it carries is seconds old. Claude Code sends an event every few hundred ms
    while it works, mostly with the same numbers."""
    fetched = old.get("fetched") if old is not None else None
    if not readings.within(fetched, now - REWRITE_S, now):
        return False

    def said(d):
        spend = d.get("spend")
        return ([tuple(w[:4]) + tuple(w[5:]) for w in d.get("windows") or ()],
                {k: v for k, v in spend.items() if k != "observed"} if isinstance(spend, dict) else spend)

    return said(old) == said(doc)


def harvest(new, present, spend, env, now, session="-", heard=None):
    """Merge readings into each account dir's harvest file; the readings as stamped (see
    ``updated_harvest``). An unwritable cache must not blank Claude Code's status line, so
    failures are swallowed here."""
    cfg = fastpaths.config_dir(env)
    root = fastpaths.cache_root(env)
    stamped = []
    for mode in HARVEST_MODES:
        acct = fastpaths.account_dir(root, cfg, mode)
        path = oslite.join(acct, "harvest.bin")
        old = _harvest_doc(cache_view.read_harvest(path))
        if unchanged(old, updated_harvest(old, new, present, spend, now), now):
            continue
        try:
            safefiles.prepare_dir(acct)
        except OSError:
            continue  # an unwritable or untrusted cache must not blank Claude Code's status line
        got = []

        def change(old, got=got, acct=acct):
            old = _harvest_doc(old)
            sessions = _sessions(acct, old)
            doc = updated_harvest(old, new, present, spend, now, session, heard, got, sessions)
            try:  # under the harvest's lock: the two files change together
                safefiles.write_atomic(oslite.join(acct, SESSIONS_FILE), safefiles.dumps_marshal(sessions),
                                       sync=False)
            except (OSError, ValueError):
                pass  # a table not kept only makes the next replay count from its next sight
            return doc

        safefiles.update_marshal(path, change)
        from statusline.cache import history  # only when something is written

        fresh = got or new
        view = cache_view.read_view(oslite.join(acct, "line.bin"))
        if cache_view.settled(view, fastpaths.auth_sig(cfg, env)):
            # the account's own history; a replay of old numbers is no news
            history.note(cache_view.history_dir(acct, view or {}),
                         [r for r in fresh if r[4] >= now - history.HEARTBEAT_S], now)
        stamped = stamped or fresh
    return stamped or new


def remember_version(version, env):
    """Keep the Claude Code version the user runs, for the fetcher's User-Agent."""
    if not version:
        return
    path = oslite.join(fastpaths.cache_root(env), VERSION_FILE)
    try:
        if safefiles.read_own(path, 4096)[:64].decode("ascii", "replace").strip() == version:
            return
    except OSError:
        pass
    try:
        safefiles.makedirs_private(oslite.dirname(path))
        safefiles.write_atomic(path, (version + "\n").encode("ascii"), sync=False)
    except OSError:
        pass


COLUMNS_RANGE = (20, 2000)
FIT_MARGIN = 2  # Claude Code draws its status rows two cells in (seen in 2.1.90 and 2.1.332)
STYLE_OVERHEAD = 3  # cells a powerline or chips style adds to each group: its padding and arrow


def columns(env):
    """The terminal's width Claude Code gives its status command (``COLUMNS``), or None."""
    raw = env.get("COLUMNS")
    if not raw or not raw.isdigit():
        return None
    n = int(raw[:6])
    return n if COLUMNS_RANGE[0] <= n <= COLUMNS_RANGE[1] else None


def session_rows(opts, data, view, env, now, glyphs, has_credentials, note):
    """The whole Claude Code line as rows of groups: the limits' (``segments.groups``) and the
    session's (``render/items``), in the chosen order (``[line] items``, ``--show``, ``--hide``),
    in ``[line] rows`` when set. Git is read from ``.git`` only when the ``git`` item is on."""
    order = cache_view.items(opts, view)
    cfg = cache_view.line_settings(view)
    parts = segments.groups(view, now, glyphs, has_credentials, note, items=order,
                            numbers=cache_view.numbers(view, env))
    wanted = [n for n in order if n in item_names.SESSION]
    if wanted:
        from statusline.render import items

        s = claude_code.session(data, now)
        mode = cfg.get("context") if cfg.get("context") in item_names.CONTEXT else "window"
        if "git" in wanted:
            from statusline.sources import git_head

            s["git"] = s["branch"] or git_head.branch(claude_code.cwd(data)) or s["worktree"]
        if mode == "usable" and "context" in wanted:
            s["context_usable"] = claude_code.usable_percent(s, env)
        th = segments.thresholds(cfg)
        for name in wanted:
            got = items.spans(name, s, glyphs, th, now, mode)
            if got:
                parts.append((name, got))
    rows = cfg.get("rows")
    return layout.arrange(parts, order, rows if isinstance(rows, (tuple, list)) else None)


CHAIN_LIMIT = 64 * 1024  # bytes of the chained command's output: a status line, not a log


def chain(cmd, raw, env):
    """Run the user's previous status command with the same stdin; its lines, or []. Bounded
    (``cache/children``): ``CHAIN_TIMEOUT_S``, then its whole group is killed (no orphans);
    ``CHAIN_LIMIT`` bytes; read as soon as it exits, even when a child of it holds stdout."""
    from statusline.cache import children

    try:
        done = children.run(["/bin/sh", "-c", cmd], stdin=raw, timeout=CHAIN_TIMEOUT_S, limit=CHAIN_LIMIT,
                            env=env)
    except OSError:
        return []
    text = done.out.decode("utf-8", "replace").rstrip("\n")
    return [_printable(line) for line in text.splitlines()]


def _printable(line):
    """The chained command's own line, passed through as it is but for controls (``?``, by
    ``core/clean.is_control``: C0, DEL, C1, bidi) other than SGR colour (ESC [ ... m), which
    Claude Code shows and which the user asked for."""
    out = []
    i, n = 0, len(line)
    while i < n:
        ch = line[i]
        if ch == "\x1b" and i + 1 < n and line[i + 1] == "[":
            j = i + 2
            while j < n and (line[j].isdigit() or line[j] == ";"):
                j += 1
            if j < n and line[j] == "m":
                out.append(line[i:j + 1])
                i = j + 1
                continue
        out.append("?" if is_control(ch) else ch)  # C0, DEL, C1 and bidi, as every door
        i += 1
    return "".join(out)


def run(opts, env, now):
    raw, data = read_stdin()
    if data is None:
        data = parse_input(raw)
    new = claude_code.readings(data, now)
    spend = claude_code.spend(data, now)
    if new or spend is not None:
        new = harvest(new, claude_code.present_keys(data), spend, env, now,
                      claude_code.session_key(data, fastpaths.fnv1a64),
                      claude_code.transcript_time(data, now, fastpaths.config_dir(env)))
    remember_version(claude_code.version(data), env)
    view, cred_sig, note = cache_view.load(opts.get("mode") or "auto", opts.get("refresh", True), env, now)
    if new:  # what Claude Code just said, by the one merge rule, whether or not it could be kept
        view = cache_view.merge_harvest(view, {"fetched": now, "windows": new}, now)  # (a full disk)
    if new and cache_view.notify_asked(view, env):  # opt-in; its state is the account's
        from statusline.render import notify

        acct = fastpaths.account_dir(fastpaths.cache_root(env), fastpaths.config_dir(env), "code")
        code_view = cache_view.read_view(oslite.join(acct, "line.bin"))
        if cache_view.settled(code_view, cred_sig):
            notify.maybe_notify(acct, new, now, notify.with_config(env, (view or {}).get("config")),
                                cache_view.account_key(acct, code_view or {}))
    lines = draw(opts, data, view, env, now, cred_sig is not None or bool(new), note)
    ours = lines[0]
    if opts.get("chain"):
        theirs = chain(opts["chain"], raw, env)
        if theirs:
            bar = dialects.render([(" \u2502 ", "muted")], "ansi", not env.get("NO_COLOR"))
            lines = [ours + bar + theirs[0], *lines[1:], *theirs[1:]]
    return "\n".join(lines)


def draw(opts, data, view, env, now, has_credentials, note):
    """Our rows of the Claude Code line for an input and a view already read (at least one, maybe
    empty), fitted to ``COLUMNS``: what ``run`` prints, and what ``claude-usage configure``
    previews for a view whose ``config`` is the one being edited."""
    glyphs = cache_view.glyphs(opts, view, env) or "emoji"
    rows = session_rows(opts, data, view, env, now, glyphs, has_credentials, note)
    color = not env.get("NO_COLOR")
    style, theme = cache_view.look(opts, view, env)
    if opts.get("theme") and style == "plain" and isinstance(opts.get("notes"), list):
        opts["notes"].append("--theme needs --style powerline or chips (or [line] style in config.toml); ignored")
    width = columns(env)
    if width:
        g = segments.GLYPHS.get(glyphs, segments.GLYPHS["emoji"])
        per_group = STYLE_OVERHEAD if style != "plain" and color else 0
        rows = [layout.fit(row, width - FIT_MARGIN, g, per_group) for row in rows]
    return layout.draw(rows, "ansi", color, style, theme, glyphs) or [""]
