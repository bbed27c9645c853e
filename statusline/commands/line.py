"""claude-usage-line: print one line from the cache and exit 0, never waiting on the network.

This is the hot path. It runs on every prompt and tmux redraw, so it imports only what Python
has already loaded (sys, time, marshal; ``cache/oslite`` stands in for ``os``, which a ``-I -S``
start has not loaded) plus a few small modules of ours, parses argv by hand, reads two small
marshal files (the view and any harvest from Claude Code, see ``cache_view``), and when the data
is due starts the fetcher detached with ``os.posix_spawn`` (debounced by a stamp file, so a
burst of prompts starts one fetcher). Anything heavier (json for ``--format json``, the Claude
Code hook) is imported only by the option that needs it.
"""

import sys
import time

from statusline.cache import cache_view, oslite
from statusline.core import items as item_names
from statusline.render import dialects, layout, segments

HELP = """usage: claude-usage-line [options]

Print Claude usage and rate limits as one line, from the local cache. Never waits
on the network: a stale cache starts a background refresh and is shown as it is.

options:
  --format FMT     ansi (default), tmux, zsh, bash, plain, json, waybar,
                   i3blocks (also polybar), xbar (also SwiftBar)
  --mode MODE      auto (default), code, console
  --glyphs SET     emoji (default; plain for tmux), plain, ascii
  --style STYLE    plain (default), powerline, chips (ansi, bash, tmux, zsh)
  --theme NAME     default, nord, gruvbox, dracula, mono (powerline, chips)
  --claude-code    read Claude Code's statusLine JSON on stdin (see README)
  --chain CMD      with --claude-code: also run CMD with the same input and show
                   its rows after ours (cut after 3 s and 64 KiB)
  --show ITEMS     items to add, comma-separated (rate, and with --claude-code
                   model, effort, context, tokens, cost, duration, lines, git,
                   repo, pr, session, cache, vim, agent, style, cwd)
  --hide ITEMS     items to leave out (e.g. age, pace, model)
  --no-refresh     never start the background fetcher
  -h, --help       show this help
  --version        show the version

environment: NO_COLOR, CLAUDE_CONFIG_DIR, CLAUDE_USAGE_CACHE_DIR, CLAUDE_USAGE_TTL,
CLAUDE_USAGE_CONSOLE_TTL, CLAUDE_USAGE_GLYPHS, CLAUDE_USAGE_STYLE, CLAUDE_USAGE_THEME,
CLAUDE_USAGE_NUMBERS (used or left), ANTHROPIC_ADMIN_API_KEY. Items, rows and the rest:
config.toml (claude-usage configure). Details: claude-usage doctor"""

CHOICES = {"format": ("ansi", "tmux", "zsh", "bash", "plain", "json", "waybar", "i3blocks", "xbar"),
           "mode": ("auto", "code", "console"), "glyphs": ("emoji", "plain", "ascii"),
           "style": cache_view.STYLES, "theme": cache_view.THEMES}
SHOW_ITEMS = item_names.NAMES
USAGE_ERROR = 2


def parse_args(argv):
    """A tiny argument loop: argparse would cost more than the rest of the line.

    Mistakes are collected in ``opts["problems"]`` (never raised): a bad value falls back to
    the default so a prompt still gets a line; ``main`` decides whether that is an error.
    """
    opts = {"format": "ansi", "mode": "auto", "glyphs": None, "style": None, "theme": None, "claude_code": False,
            "chain": None, "show": "", "hide": "", "refresh": True, "help": False, "version": False, "problems": [],
            "notes": []}
    takes = {"--format": "format", "--mode": "mode", "--glyphs": "glyphs", "--style": "style", "--theme": "theme",
             "--chain": "chain", "--show": "show", "--hide": "hide"}
    problems = opts["problems"]
    args = list(argv)
    while args:
        a = args.pop(0)
        name, eq, val = a.partition("=")
        if name in takes:
            if not eq:
                if not args:
                    problems.append("%s needs a value" % name)
                    break
                val = args.pop(0)
            key = takes[name]
            if key in CHOICES and val not in CHOICES[key]:
                problems.append("%s: %r is not one of %s" % (name, val, ", ".join(CHOICES[key])))
                continue
            if key in ("show", "hide"):
                bad = [i for i in item_names.parse_list(val) if i not in SHOW_ITEMS]
                if bad:
                    problems.append("--%s: unknown item %r (items: %s)" % (key, bad[0], ", ".join(SHOW_ITEMS)))
            opts[key] = val
        elif a in ("-h", "--help"):
            opts["help"] = True
        elif a in ("-V", "--version"):
            opts["version"] = True
        elif a == "--claude-code":
            opts["claude_code"] = True
        elif a == "--no-refresh":
            opts["refresh"] = False
        else:
            problems.append(unknown_option(a, args, takes))
    if not opts["claude_code"]:
        if opts["chain"] is not None:
            opts["notes"].append("--chain does nothing without --claude-code")
        hook_only = [i for i in item_names.parse_list(opts["show"]) if i in item_names.SESSION]
        if hook_only:
            opts["notes"].append("--show %s needs --claude-code; ignored" % ",".join(hook_only))
    return opts


def unknown_option(word, args, takes):
    """The sentence for an option we do not know, with the one it most resembles. A value
    that follows a mistyped option that takes one is taken with it (``--fromat tmux``)."""
    import difflib  # only on this rare path

    name = word.partition("=")[0]
    if not name.startswith("-"):
        return "unexpected argument %r" % word
    known = sorted(takes) + ["--claude-code", "--no-refresh", "--help", "--version"]
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    if close and close[0] in takes and "=" not in word and args and not args[0].startswith("-"):
        args.pop(0)
    return "unknown option %s" % name + (" (did you mean %s?)" % close[0] if close else "")


NOTE_FILE = "line-usage-error"


def _kind(opts):
    return "claude-code" if opts["claude_code"] else "line"


def report_problems(problems, env, now, kind="line"):
    """Keep the last usage mistake where ``claude-usage doctor`` finds it (a prompt cannot show it)."""
    from statusline.cache import fastpaths, safefiles

    root = fastpaths.cache_root(env)
    text = ("%d\t%s\t%s\n" % (int(now), kind, "; ".join(problems))).encode("utf-8", "replace")[:1000]
    try:
        safefiles.makedirs_private(root)
        safefiles.write_atomic(oslite.join(root, NOTE_FILE), text, sync=False)
    except OSError:
        pass


def clear_problems(env, kind):
    """A correct call of the same kind (the line, or the Claude Code hook) clears the note: the
    mistake was fixed. One stat when there is no note, the usual case."""
    from statusline.cache import fastpaths, safefiles

    path = oslite.join(fastpaths.cache_root(env), NOTE_FILE)
    try:
        oslite.stat(path)
    except OSError:
        return
    try:
        fields = safefiles.read_own(path, 4096).split(b"\t")
        if len(fields) < 3 or fields[1].decode("ascii", "replace") == kind:
            oslite.unlink(path)
    except OSError:
        pass


def render(opts, env, now):
    """The whole line as a string (no trailing newline)."""
    if opts["help"]:
        return HELP
    if opts["version"]:
        from statusline.version import VERSION

        return "claude-usage-line " + VERSION
    if opts["claude_code"]:
        from statusline.commands import hook

        return hook.run(opts, env, now)
    return render_cached(opts, env, now)


def render_cached(opts, env, now):
    view, cred_sig, note = cache_view.load(opts["mode"], opts["refresh"], env, now)
    return draw_view(opts, view, cache_view.has_credentials(env, cred_sig), note, env, now)


def draw_view(opts, view, creds, note, env, now):
    """The line for a view already read: what ``render_cached`` prints, and what ``claude-usage
    configure`` previews for a view whose ``config`` is the one being edited."""
    fmt = opts["format"]
    if fmt in ("json", "waybar"):
        from statusline.render import lineformats

        return lineformats.render(fmt, view, now, creds, note, cache_view.numbers(view, env))
    if fmt in ("i3blocks", "xbar"):
        from statusline.commands import bars

        return bars.render(fmt, opts, view, creds, note, env, now)
    glyphs = cache_view.glyphs(opts, view, env) or ("plain" if fmt == "tmux" else "emoji")
    if view is None and not creds and opts["mode"] == "console":
        return dialects.render([("claude: no admin key", "warn")], fmt, not env.get("NO_COLOR"), None)
    order = cache_view.items(opts, view)
    parts = segments.groups(view, now, glyphs, creds, note, items=order, numbers=cache_view.numbers(view, env))
    cfg = cache_view.line_settings(view)
    rows = layout.arrange(parts, order, cfg.get("rows"), single=True)  # one line: no session, no rows
    style, theme = cache_view.look(opts, view, env)
    unused_look(opts, style, fmt)
    return layout.draw(rows, fmt, not env.get("NO_COLOR"), style, theme, glyphs, cfg.get("tmux"))[0] if rows else ""


STYLED_FORMATS = ("ansi", "bash", "tmux", "zsh")


def unused_look(opts, style, fmt):
    """Notes for a look that was asked for and does nothing here: a theme with the plain style,
    a style in a format that draws none."""
    if opts.get("style") and opts["style"] != "plain" and fmt not in STYLED_FORMATS:
        opts["notes"].append("--style %s does nothing for --format %s; ignored" % (opts["style"], fmt))
    elif opts.get("theme") and style == "plain":
        opts["notes"].append("--theme needs --style powerline or chips (or [line] style in config.toml); ignored")


def main(argv=None):
    """Console-script entry. Always prints a line and returns 0: no traceback reaches a prompt."""
    try:
        env = oslite.environ()
        opts = parse_args(sys.argv[1:] if argv is None else argv)
        if opts["problems"] and _interactive():  # a person typed it: say so, as any command would
            sys.stderr.write("claude-usage-line: " + "; ".join(opts["problems"]) + "\n(see claude-usage-line --help)\n")
            return USAGE_ERROR
        out = render(opts, env, time.time())  # (it may add notes: a look that does nothing here)
        said = opts["problems"] + opts["notes"]
        if opts["problems"]:  # in a prompt or a bar: still a line, and exit 0
            sys.stderr.write("claude-usage-line: " + "; ".join(opts["problems"]) + "\n")
        elif opts["notes"]:
            sys.stderr.write("claude-usage-line: note: " + "; ".join(opts["notes"]) + "\n")
        if said and not _interactive():  # a prompt cannot show it: doctor will
            report_problems(said, env, time.time(), _kind(opts))
        elif not said and not (opts["help"] or opts["version"]):
            clear_problems(env, _kind(opts))
    except BaseException as exc:  # noqa: BLE001 - the prompt must survive anything
        if isinstance(exc, SystemExit):
            raise
        out = "claude: ?"
    try:
        sys.stdout.write(out + "\n")
        sys.stdout.flush()
    except (OSError, ValueError, AttributeError):  # closed or missing stdout
        pass
    return 0


def run(argv=None):
    """The process's entry (the console script and the fast launch): ``main``, then leave at once.

    A normal exit tears the interpreter down module by module, object by object: 2.5 ms of a
    16 ms start, for a process whose line is already out (``python bench/line.py --teardown``).
    By now everything the line writes is written and closed (files through ``safefiles``'
    descriptors, the fetcher spawned detached), and it starts no thread, so only the standard
    streams are flushed here; ``_exit`` leaves the rest (descriptors, locks) to the kernel.
    ``main`` stays a plain function for the callers that go on afterwards (tests, ``-m``)."""
    code = main(argv)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):  # closed or missing: the line is lost either way
            pass
    oslite._exit(code)


def _interactive():
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError, OSError):
        return False


if __name__ == "__main__":
    run()
