"""Every door guarded (issue 17): outside text reaches each target only through that target's
escaping function in ``render/dialects``, checked in the real program where there is one.

The hostile strings are the ones an attacker holding a model or org name would pick: tmux
formats that run a command, Pango markup, notify-send options, bash prompt escapes."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from apiserver import Reply, usage_body
from conftest import write_credentials
from helpers import Tmux, fetch, poll
from hostile import NOW, applescript_value, corpus, line_spans, line_view, pango_inert, ran, short_dir

from statusline.core import clean
from statusline.render import dialects, lineformats, notify

SGR = re.compile(r"\x1b\[[0-9;]*m")
ESC = re.compile(r"\x1b(\[[0-9;:?]*[A-Za-z]|\][^\x07\x1b]*(\x07|\x1b\\)|[()][0-9A-B]|[=>])")


@pytest.fixture
def pwned():
    """A short directory (model names are cut at 40 characters) that must stay empty."""
    path = short_dir()
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def attached():
    """A private tmux server with a real client attached (a tmux client running in a pane of a
    second server): only with a client does tmux run ``#()`` jobs for display-message and
    draw a status bar. ``attached(width, height)`` returns (inner, outer)."""
    made: list[Tmux] = []

    def start(width: int = 100, height: int = 8) -> tuple[Tmux, Tmux]:
        inner, outer = Tmux("doors-in"), Tmux("doors-out")
        made.extend((inner, outer))
        inner.start("-d", "-s", "main", "-x", str(width), "-y", str(height), "sleep 600")
        client = f"env -u TMUX tmux -L {shlex.quote(inner.name)} -f {shlex.quote(str(inner.conf))} attach -t main"
        outer.start("-d", "-s", "view", "-x", str(width), "-y", str(height), client)
        outer("set-option", "-g", "status", "off")
        poll("the client", lambda: inner("list-clients"), bool, timeout=10)
        return inner, outer

    try:
        yield start
    finally:
        for server in made:
            server.kill()


def hostile_model(api, home: Path, name: str, **body: object) -> None:
    """A warm cache whose per-model weekly limit (92 %, on the line) is called ``name``."""
    from datetime import datetime, timezone

    iso = datetime.fromtimestamp(time.time() + 86400, tz=timezone.utc).isoformat()
    api.set("/api/oauth/usage", Reply(200, usage_body(limits=[
        {"kind": "weekly_scoped", "percent": 92, "resets_at": iso, "scope": {"model": {"display_name": name}}}],
        **body)))
    write_credentials(home)
    assert fetch().returncode == 0


def _tmux_only_path(tmp_path: Path) -> str:
    """A PATH with tmux and nothing else: no notify-send, so notify falls back to tmux."""
    bin_dir = tmp_path / "tmuxonly"
    bin_dir.mkdir()
    os.symlink(shutil.which("tmux"), bin_dir / "tmux")
    return str(bin_dir)


HOLD = [";", "run-shell", "sleep 0.3"]  # keeps the command client (and so its #() jobs) alive


def _client_env(inner: Tmux, tmp_path: Path) -> dict[str, str]:
    """The environment of a command run inside ``inner``'s session, with tmux and nothing else
    on PATH (no notify-send, so notify falls back to tmux)."""
    sock = inner("display-message", "-p", "#{socket_path}").strip()
    return {"PATH": _tmux_only_path(tmp_path), "TMUX": f"{sock},{os.getpid()},0", "HOME": str(tmp_path)}


def _display(argv: list[str], env: dict[str, str]) -> None:
    """Run a ``tmux display-message`` argv, the command client held open a moment: tmux ties
    the ``#()`` jobs a format starts to the client that asked, and ends them with it."""
    subprocess.run([*argv, *HOLD], env=env, timeout=10, capture_output=True, check=True)


def _job_runs(env: dict[str, str], control: Path) -> None:
    """An unescaped ``#()`` job in display-message runs (bounded): this tmux does run the jobs
    of a message, so "nothing ran" means something."""
    _display(["tmux", "display-message", "#(touch %s)" % control], env)
    poll("the control #() job", control.exists, bool, timeout=10)


@pytest.mark.realprog
@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_tmux_display_message_runs_nothing_from_a_model_name(attached, tmp_path: Path, pwned: Path) -> None:
    """#1: the notification through ``tmux display-message`` (inside tmux, no notify-send) runs
    no ``#()`` from a model name. A client is attached, so tmux does run display-message's
    jobs: an unescaped control job is seen to run first, then ours runs nothing."""
    inner, _ = attached()
    env = _client_env(inner, tmp_path)
    _job_runs(env, tmp_path / "control")
    message = "%s limit at 96%%" % notify.label("scoped", "#(touch %s/a)" % pwned)
    argv = notify.command(message, env, "linux")
    assert argv is not None and argv[1] == "display-message"
    _display(argv, env)
    _job_runs(env, tmp_path / "again")  # run after ours: ours had the same chance
    assert ran(pwned) == []
    shown = inner("display-message", "-p", "--", dialects.tmux_message_text(message)).rstrip("\n")
    assert shown.replace("##[", "#[") == message  # shown literally


@pytest.mark.realprog
@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_tmux_display_message_shows_the_corpus_literally(attached, tmp_path: Path, pwned: Path) -> None:
    """Every hostile name, as the notification's display-message argv (the real ``notify``
    path), shown by a tmux with a client attached: nothing runs, and ``-p`` of the same
    argument shows the text as it is (no format, style, strftime or second command)."""
    inner, _ = attached()
    env = _client_env(inner, tmp_path)
    messages, texts = [], []
    for name in corpus(pwned):
        argv = notify.command("%s limit at 96%%" % notify.label("scoped", clean.text(name, 40)), env, "linux")
        assert argv is not None and argv[1:3] == ["display-message", "--"], argv
        messages += [*argv[1:], ";"]
        texts += [clean.text(name) or "?", (clean.text(name) or "?") + ";"]
    _display(["tmux", *messages[:-1]], env)  # one command client: every message, then held
    shown = ["display-message", "-p", "--"]
    got = inner(*[w for t in texts for w in (*shown, dialects.tmux_message_text(t), ";")][:-1])
    # tmux keeps "##[" through expansion for its drawing step, which shows it as "#[".
    assert got.replace("##[", "#[").split("\n")[:-1] == texts
    _job_runs(env, tmp_path / "control")
    assert ran(pwned) == []


# A notify-send that records its argv, one file per call (calls run side by side): each
# argument then \x1f (which cannot come from outside: notify_argv turns controls into "?").
FAKE_NOTIFY_SEND = """#!/bin/sh
for a in "$@"; do printf '%s\\037' "$a"; done > {log}/$$.tmp && mv {log}/$$.tmp {log}/$$
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="notify-send is the Linux backend")
def test_notify_send_takes_no_option_and_no_markup_from_outside(tmp_path: Path, pwned: Path) -> None:
    """#9: every hostile name as the whole message (the worst case: it comes first), sent by
    the real ``notify.send`` to a recording notify-send: only our options before ``--``, then
    the summary and a body that is valid Pango markup with nothing of its own."""
    bin_dir = tmp_path / "fakebin"
    bin_dir.mkdir()
    log = tmp_path / "argv"
    log.mkdir()
    (bin_dir / "notify-send").write_text(FAKE_NOTIFY_SEND.format(log=shlex.quote(str(log))))
    (bin_dir / "notify-send").chmod(0o755)
    env = {"PATH": str(bin_dir) + ":/usr/bin:/bin"}
    names = corpus(pwned)
    for name in names:
        assert notify.send(name, env)
    done = poll("every notify-send argv", lambda: [p for p in log.iterdir() if p.suffix != ".tmp"],
                lambda got: len(got) == len(names))
    calls = [[a.decode() for a in p.read_bytes().split(b"\x1f")[:-1]] for p in done]
    shown = []
    for argv in calls:
        dash = argv.index("--")
        assert all(a.startswith("--app-name=") for a in argv[:dash]), argv  # only our own options
        summary, body = argv[dash + 1:]
        assert summary == "Claude usage"
        shown.append(pango_inert(body))
    assert sorted(shown) == sorted(dialects.escape(n, "plain").replace("\n", "?") for n in names)
    assert ran(pwned) == []


def test_osascript_script_holds_each_name_as_one_string(tmp_path: Path, pwned: Path) -> None:
    """macOS: ``display notification <message> with title <title>``, each a whole string
    literal whatever the name, through the real ``notify.command`` (a fake osascript on PATH)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "osascript").write_text("#!/bin/sh\n")
    (bin_dir / "osascript").chmod(0o755)
    for name in corpus(pwned):
        argv = notify.command(name, {"PATH": str(bin_dir)}, "darwin")
        assert argv is not None and argv[1] == "-e" and len(argv) == 3, argv
        m = re.fullmatch(r'display notification (".*") with title ("Claude usage")', argv[2], re.S)
        assert m, argv[2]
        assert applescript_value(m.group(1)) == dialects.escape(name, "plain")


def test_waybar_and_json_hold_every_name_inert(pwned: Path) -> None:
    """#8: a model name from the usage API, through the view, as Waybar's output (valid Pango
    with no markup from outside, and showing the name) and as ``--format json`` (strict JSON
    with no control character, and the name round-trips as the parser cleaned it)."""
    import json

    for name in corpus(pwned):
        view = line_view(name)
        raw = lineformats.render("waybar", view, NOW, True, None)
        assert "\x1b" not in raw and "\x9b" not in raw
        doc = json.loads(raw)
        text = pango_inert(doc["text"])
        pango_inert(doc["tooltip"])
        assert (clean.text(name, 40) or "?")[:20] in text, (name, text)
        raw = lineformats.render("json", view, NOW, True, None)
        assert clean.is_clean(raw.replace("\n", "")), raw
        names = [w["name"] for w in json.loads(raw)["weekly_scoped"]]
        assert names == [clean.text(name, 40)], (names, name)


def test_history_csv_has_no_formula_cell(pwned: Path) -> None:
    """#15: no cell of ``history --csv`` starts a formula whatever the name; one row per
    sample (a CR inside a name starts no row); the round trip keeps every printable name."""
    import csv
    import io

    from statusline.commands import history as history_cmd

    names = corpus(pwned)
    samples = [(1_700_000_000.0 + i, "weekly_scoped", name, 92.0, None) for i, name in enumerate(names)]
    text = history_cmd.to_csv(samples)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert len(rows) == len(names) + 1, text
    for row in rows[1:]:
        for cell in row:
            assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r"), (cell, row)
    back = [s[2] for s in history_cmd.from_csv(text)]
    assert [b for b, n in zip(back, names, strict=True) if n.isprintable()] == [n for n in names if n.isprintable()]


@pytest.mark.realprog
@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_tmux_plain_format_doubles_hashes_in_the_real_bar(api, home: Path, tmp_path: Path) -> None:
    from test_tmux import attach_from_outer, bar, load_plugin, start_inner, visible

    hostile_model(api, home, "#[reverse]#{host}X#(touch %s)" % (tmp_path / "pwned"))
    made: list[Tmux] = []

    def servers(tag: str) -> Tmux:
        made.append(Tmux(tag))
        return made[-1]

    try:
        inner = start_inner(servers)
        inner("set-option", "-g", "@claude_usage_format", "plain")
        status = load_plugin(inner, "#{claude_usage}")
        assert "--format tmux" in status and "NO_COLOR=1" in status, status
        outer = attach_from_outer(servers, inner)
        shown = poll("the hostile name in the bar", lambda: bar(outer), lambda s: "92%" in visible(s))
        assert "#[reverse]#{host}X#(touch" in visible(shown), shown
        assert "\x1b[7m" not in shown  # no style from outside
        assert not (tmp_path / "pwned").exists()
    finally:
        for server in made:
            server.kill()


@pytest.mark.parametrize("name", ["<b>bold</b> & <span foreground='red'>x</span>", "a&b \"q\" 'q' <", "&amp;"])
def test_waybar_output_is_pango_safe_by_itself(api, home: Path, name: str) -> None:
    import json
    import xml.etree.ElementTree as ET

    from helpers import line

    hostile_model(api, home, name)
    doc = json.loads(line("--format", "waybar", "--no-refresh").stdout)
    for key in ("text", "tooltip"):
        root = ET.fromstring("<x>%s</x>" % doc[key])  # valid markup (Pango's is XML) ...
        assert list(root) == [], (key, doc[key])  # ... holding no element from outside
    assert name[:20] in ET.fromstring("<x>%s</x>" % doc["text"]).text  # shown as it is


def test_check_parses_a_long_expression_in_linear_time() -> None:
    """#11: the expression parser has no pattern that backtracks; under a CPU limit of 20 s a
    20 000-space expression (which the old regex needed hours for) is refused as bad."""
    code = ("import resource; resource.setrlimit(resource.RLIMIT_CPU, (20, 20))\n"
            "from statusline.commands import check\n"
            "for text in (' ' * 20000 + 'x', 'eta' + ' ' * 20000 + 'x<', '5h' + ' ' * 20000 + '<' + ' ' * 20000 + 'x'):\n"
            "    try: check.parse(text)\n"
            "    except check.BadExpression: pass\n"
            "    else: raise SystemExit('accepted')\n"
            "print('ok')\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-500:]


@pytest.mark.parametrize("extra", [
    {"is_enabled": True, "monthly_limit": 1e-300, "used_credits": 1e10, "utilization": None},
    {"is_enabled": True, "monthly_limit": 1e-300, "used_credits": 1e10, "utilization": 1e308},
    {"is_enabled": True, "monthly_limit": 0, "used_credits": 1e300, "utilization": None, "decimal_places": 0},
])
def test_a_credits_overflow_blanks_no_line_and_crashes_no_panel(api, home: Path, extra: dict) -> None:
    """#7: credits whose used/limit overflows are range-checked at the boundary: the line keeps
    its windows and the panel draws (no OverflowError in display_percent)."""
    from helpers import cli, line

    api.set("/api/oauth/usage", Reply(200, usage_body(extra_usage=dict({"currency": "USD"}, **extra))))
    write_credentials(home)
    assert fetch().returncode == 0
    shown = line("--no-refresh").stdout
    assert "78%" in shown and "?" not in shown, shown
    panel = cli()
    assert panel.returncode == 0 and "Traceback" not in panel.stderr, panel.stderr[-800:]
    assert "78%" in panel.stdout, panel.stdout


REPO = Path(__file__).resolve().parents[2]
SHELLS = {
    # shell: (--format, the plugin, argv running SCRIPT with DIR, the option on, the option off)
    "zsh": ("zsh", "zsh/claude-usage.plugin.zsh", ["zsh", "-f", "-c"], "setopt prompt_subst", "unsetopt prompt_subst",
            'for d in "$DIR"/*; do CLAUDE_USAGE_CACHE_DIR=$d; _claude_usage_precmd; '
            'print -rnP -- "$RPROMPT"; print -rn -- $\'\\x1e\'; done'),
    "bash": ("bash", "bash/claude-usage.bash", ["bash", "--norc", "--noprofile", "-c"], "shopt -s promptvars",
             "shopt -u promptvars",
             'for d in "$DIR"/*; do CLAUDE_USAGE_CACHE_DIR=$d; _claude_usage_precmd; '
             'printf "%s\\036" "${PS1@P}"; done'),
    "fish": ("ansi", "fish/claude-usage.fish", ["fish", "--no-config", "-c"], "", "",
             'for d in $DIR/*; set -gx CLAUDE_USAGE_CACHE_DIR $d; _claude_usage_precmd; '
             'claude_usage_prompt; printf "\\x1e"; end'),
}


# fish has no substitution option (it never evaluates what a prompt prints): one case for it
SHELL_CASES = [(shell, option) for shell in sorted(SHELLS) for option in (True, False) if shell != "fish" or option]


@pytest.mark.realprog
@pytest.mark.parametrize("shell,option", SHELL_CASES,
                         ids=["%s-subst-%s" % (sh, "on" if on else "off") for sh, on in SHELL_CASES])
def test_shell_prompts_show_every_name_literally(shell: str, option: bool, tmp_path: Path, pwned: Path) -> None:
    """zsh (PROMPT_SUBST on and off), bash (promptvars on and off) and fish, each one real shell
    sourcing the shipped plugin: for every hostile model name, the line in that shell's format
    is the rendered file, the plugin's prompt hook reads it, and the shell expands the prompt
    (``print -P``, ``${PS1@P}``, fish's own printing) into the plain text; nothing runs."""
    fmt, plugin, argv, on, off, loop = SHELLS[shell]
    if shutil.which(argv[0]) is None:
        pytest.skip(f"{argv[0]} is not installed")
    names = corpus(pwned)
    root = tmp_path / "dirs"
    for i, name in enumerate(names):
        d = root / f"{i:04d}"
        d.mkdir(parents=True, mode=0o700)
        spans = line_spans(name)
        (d / f"prompt.{shell}").write_text(f"{int(time.time())}\n{dialects.render(spans, fmt, True)}\n")
    script = f"source {shlex.quote(str(REPO / 'integrations' / plugin))}\n{on if option else off}\n{loop}\n"
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "DIR": str(root), "TERM": "xterm-256color",
           "CLAUDE_USAGE_LINE_CMD": str(tmp_path / "missing"), "CLAUDE_USAGE_THROTTLE": "3600"}
    done = subprocess.run([*argv, script], cwd=pwned, env=env, capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    shown = [SGR.sub("", p).replace("\x01", "").replace("\x02", "").rstrip(" ")
             for p in done.stdout.decode().split("\x1e")[:-1]]
    want = [dialects.render(line_spans(n), "plain", False) for n in names]
    assert [(n, s) for n, s, w in zip(names, shown, want, strict=False) if s != w] == [] and len(shown) == len(want)
    assert ran(pwned) == []


def _rows(lines: list[str], width: int, sep: str) -> list[list[int]]:
    """The lines' indexes packed into rows of at most ``width`` cells (wide characters counted
    as two, so a row never reaches the edge)."""
    import unicodedata

    def cells(s: str) -> int:
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s) + len(sep)

    rows: list[list[int]] = [[]]
    used = 0
    for i, text in enumerate(lines):
        if rows[-1] and used + cells(text) > width:
            rows.append([])
            used = 0
        rows[-1].append(i)
        used += cells(text)
    return rows


@pytest.mark.realprog
@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_tmux_status_bar_shows_the_corpus_literally(attached, tmp_path: Path, pwned: Path) -> None:
    """Every hostile name's line in ``--format tmux`` (the line's spans through
    ``dialects.render``, as ``line`` writes them, colours on) as the output of ``#()`` in a real
    status bar, several names to a status row: the bar shows each line as its plain text (an
    unescaped control format in the same output is expanded), no command runs, no style comes
    from outside.
    Names with ``##`` are in the next test: tmux halves a run of ``#`` twice there."""
    _status_bar_shows(attached, tmp_path, pwned, [n for n in corpus(pwned) if "##" not in n])


@pytest.mark.realprog
@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
@pytest.mark.xfail(strict=True, reason="tmux 3.3a expands #() output, then draws it: both turn ## into #, so "
                   "a run of # in a name shows halved (never a command or a style): tmux_text doubles once")
def test_tmux_status_bar_shows_a_run_of_hashes_literally(attached, tmp_path: Path, pwned: Path) -> None:
    _status_bar_shows(attached, tmp_path, pwned, ["##", "C## ###x", "##(touch %s/h)" % pwned])


def _status_bar_shows(attached, tmp_path: Path, pwned: Path, names: list[str]) -> None:
    width, sep = 900, " \u00b6 "
    plains = [dialects.render(line_spans(n), "plain", False) for n in names]
    rows = _rows(plains, width - 10, sep)
    assert len(rows) <= 5, len(rows)  # tmux draws at most five status rows
    inner, outer = attached(width, len(rows) + 3)
    formats = []
    for r, idx in enumerate(rows):
        f = tmp_path / f"row{r}"
        f.write_text(sep.join(dialects.render(line_spans(names[i]), "tmux", True) for i in idx) + "\n")
        formats.append("#(cat %s)" % f)
    control = tmp_path / "control"
    control.write_text(" CTL#{session_name}\n")  # unescaped: tmux expands a format in #()'s output
    formats[0] += "#(cat %s)" % control
    inner("set-option", "-g", "status-interval", "1")
    inner("set-option", "-g", "status", str(len(rows)) if len(rows) > 1 else "on")
    for r, fmt in enumerate(formats):
        inner("set-option", "-g", "status-format[%d]" % r, fmt)
    want = [sep.join(plains[i] for i in idx) for idx in rows]
    want[0] += " CTLmain"
    def bar():
        return [g.rstrip() for g in outer.capture("view").rstrip("\n").split("\n")[-len(rows):]]

    # drawn: every row's job has answered and the control's format was expanded
    poll("the status bar drawn", bar, lambda got: "CTLmain" in got[0] and all(got), timeout=15)
    time.sleep(1.5)  # a status-interval more: any #() job from the output has had its turn
    shown = bar()
    assert shown == want
    assert ran(pwned) == []
    styled = "".join(outer.capture("view", escapes=True).split("\n")[-len(rows) - 1:])
    assert "\x1b[7m" not in styled and shown  # no #[reverse] from outside


ZWJ_FAMILY = "\U0001F468\u200d\U0001F469\u200d\U0001F467"


@pytest.mark.realprog
@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
@pytest.mark.parametrize("org, model", [
    (ZWJ_FAMILY + " Labs", "Opus " + ZWJ_FAMILY * 3),
    ("\u2764\ufe0f Hearts \U0001F3F3\ufe0f\u200d\U0001F308", "Sonnet \u2764\ufe0f\u2764\ufe0f"),
])
def test_zwj_and_emoji_names_keep_the_panel_square_in_a_real_40_column_pane(
        api, home: Path, org: str, model: str) -> None:
    """#16: ZWJ family emoji and emoji made wide by U+FE0F, in the org and the model name,
    drawn by the real ``claude-usage`` in a 40-column tmux pane: every line of the box, as tmux
    lays it out (``capture-pane -N``: trailing cells kept), ends in its right border in the
    last column, and no line wraps."""
    from apiserver import PROFILE_BODY
    from helpers import CLI

    api.set("/api/oauth/profile", Reply(200, dict(PROFILE_BODY, organization=dict(
        PROFILE_BODY["organization"], name=org))))
    hostile_model(api, home, model)
    env = {**os.environ, "TERM": "xterm-256color", "LANG": "C.UTF-8", "NO_COLOR": "1"}
    tmux = Tmux("zwj", env)
    try:
        keep = [f"-e{k}={env[k]}" for k in ("HOME", "CLAUDE_USAGE_CACHE_DIR", "CLAUDE_USAGE_API_URL",
                                                         "CLAUDE_USAGE_STATUS_URL")]
        tmux.start("-d", "-s", "w", "-x", "40", "-y", "40", *keep,
                   "sh -c " + shlex.quote(f"{shlex.quote(CLI)}; sleep 30"))
        shown = poll("the panel", lambda: tmux("capture-pane", "-p", "-N", "-t", "w"),
                     lambda p: "\u2518" in p, timeout=15)
    finally:
        tmux.kill()
    lines = shown.split("\n")
    top = next(i for i, ln in enumerate(lines) if ln.startswith("\u250c"))
    bottom = next(i for i in range(top, len(lines)) if lines[i].startswith("\u2514"))
    box = lines[top:bottom + 1]
    assert all(ln.startswith("\u2502") for ln in box[1:-1]), shown  # no line wrapped
    assert all(ln.endswith(("\u2502", "\u2510", "\u2518")) for ln in box), shown  # border in the last column
    assert "Labs" in shown or "Hearts" in shown, shown


def _ansi_inert(line: str) -> str:
    """``line`` with our SGR (ESC [ digits;... m) stripped, asserting it held no other escape
    and no control."""
    from hostile import controls

    bare = SGR.sub("", line)
    assert "\x1b" not in bare and controls(bare) == [], (line, bare)
    return bare


def test_ansi_line_and_hook_hold_only_our_sgr_for_every_name(tmp_path: Path, pwned: Path, monkeypatch) -> None:
    """Every corpus name as the model of a planted cache (``plant_view``), through the real
    line (``line.render``, in-process, ``--format ansi``) in each style, and through the Claude
    Code hook (``--claude-code --show model,context,cost``, the name also as Claude Code's model):
    no escape but our SGR, no C0/C1/DEL/bidi control, and the text reads literally (the plain
    style is the line's plain text; the themed styles and the hook hold the name as shown).
    Then the whole corpus as a chained status command's output (``--chain``), one line a name:
    its SGR passes, nothing else."""
    from hostile import plant_view

    from statusline.commands import hook, line
    from statusline.sources import claude_code

    home = tmp_path / "h"
    (home / ".claude").mkdir(parents=True)
    write_credentials(home)
    for i, name in enumerate(corpus(pwned)):
        root = tmp_path / "roots" / str(i)
        env = {"HOME": str(home), "CLAUDE_USAGE_CACHE_DIR": str(root)}
        plant_view(root, name, env, NOW)
        plain = dialects.render(line_spans(name), "plain", False)
        shown = plain.partition(" 7d ")[2].rpartition(" 92%")[0]  # the name as the line shows it
        assert shown, plain
        for style in ("plain", "powerline", "chips"):
            got = _ansi_inert(line.render(line.parse_args(["--format", "ansi", "--glyphs", "plain", "--style", style,
                                                          "--no-refresh"]),
                                          env, NOW))
            assert got == plain if style == "plain" else " 7d %s 92%%" % shown in got, (name, style, got)
        data = {"model": {"display_name": name}, "context_window": {"used_percentage": 50},
                "cost": {"total_cost_usd": 1.5}}
        raw = json.dumps(data).encode()
        monkeypatch.setattr(hook, "read_stdin", lambda raw=raw: (raw, None))
        got = _ansi_inert(line.render(line.parse_args(["--claude-code", "--glyphs", "plain", "--show", "model,context,cost",
                                                       "--no-refresh"]), env, NOW))
        model = dialects.render([(claude_code.model_name(data), "info")], "plain", False)
        assert got.startswith(plain) and " %s " % model in got, (name, got)
    names = tmp_path / "names"
    names.write_text("\n".join(corpus(pwned)) + "\n", encoding="utf-8", errors="surrogatepass")
    env = {"HOME": str(home), "CLAUDE_USAGE_CACHE_DIR": str(tmp_path / "roots" / "0"), "PATH": os.environ["PATH"]}
    monkeypatch.setattr(hook, "read_stdin", lambda: (b"{}", None))
    chained = line.render(line.parse_args(["--claude-code", "--chain", "cat %s" % shlex.quote(str(names)),
                                           "--no-refresh"]), env, NOW)
    rows = chained.split("\n")
    assert len(rows) > len(corpus(pwned)) // 2, chained[:500]
    for row in rows:
        _ansi_inert(row)
    assert ran(pwned) == []


EVERY_SESSION_ITEM = "model,effort,context,tokens,cost,duration,lines,git,repo,pr,session,cache,vim,agent,style,cwd"


def test_session_items_hold_only_our_sgr_for_every_name(tmp_path: Path, pwned: Path, monkeypatch) -> None:
    """#26.8: session names, agent names, branch names (from the input and from a repository's
    own .git/HEAD), worktree and repository names and PR links come from outside. Every corpus
    string in every one of them, through the real hook with every item on and in each style:
    no escape but our SGR, no control, nothing ran, and the names read as the cleaned text."""
    from hostile import session_input

    from statusline.commands import hook, line
    from statusline.core import clean

    home = tmp_path / "h"
    (home / ".claude").mkdir(parents=True)
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    env = {"HOME": str(home), "CLAUDE_USAGE_CACHE_DIR": str(tmp_path / "cache"), "COLUMNS": "400"}
    for name in corpus(pwned):
        (repo / ".git" / "HEAD").write_text("ref: refs/heads/" + name.replace("\n", " ") + "\n",
                                            encoding="utf-8", errors="surrogatepass")
        for where, cwd in (("input", "/nonexistent"), ("HEAD", str(repo))):
            data = session_input(name, NOW, cwd)
            if where == "HEAD":
                del data["worktree"]  # the branch comes from the repository's HEAD
            raw = json.dumps(data).encode()
            monkeypatch.setattr(hook, "read_stdin", lambda raw=raw: (raw, None))
            for style in ("plain", "powerline", "chips"):
                got = _ansi_inert(line.render(line.parse_args(
                    ["--claude-code", "--glyphs", "plain", "--style", style, "--show", EVERY_SESSION_ITEM,
                     "--no-refresh"]), env, NOW))
                assert "5h 78%" in got and "ctx 62%" in got and "#4242" in got, (name, style, got)
                shown = clean.text(name, 60)
                if shown and style == "plain" and " " not in shown and "#" not in shown and "%" not in shown:
                    assert shown in got, (name, got)
    assert ran(pwned) == []
