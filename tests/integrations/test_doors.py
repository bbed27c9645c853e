"""Every door guarded (issue 17): outside text reaches each target only through that target's
escaping function in ``render/dialects``, checked in the real program where there is one.

The hostile strings are the ones an attacker holding a model or org name would pick: tmux
formats that run a command, Pango markup, notify-send options, bash prompt escapes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from apiserver import Reply, usage_body
from conftest import write_credentials
from helpers import Tmux, fetch, poll

from statusline.render import dialects, notify

HOSTILE = [
    "#(touch {pwned})", "#{host} #[reverse]", "<b>bold</b> & <span foreground='red'>x</span>", "--help",
    "--icon=/etc/passwd", "=HYPERLINK(\"http://x\")", "\\e]52;c;aGk=\\a\\u@\\h", "%F{red}%%", "'\"&amp;",
]


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


@pytest.mark.realprog
@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_tmux_display_message_runs_nothing_from_a_model_name(tmp_path: Path) -> None:
    pwned, control = tmp_path / "pwned", tmp_path / "control"
    server = Tmux("doors")
    try:
        server.start("-d", "-s", "main", "-x", "80", "-y", "5", "sleep 600")
        sock = server("display-message", "-p", "#{socket_path}").strip()
        env = {"PATH": _tmux_only_path(tmp_path), "TMUX": f"{sock},{os.getpid()},0", "HOME": str(tmp_path)}
        name = "#(touch %s)" % pwned
        message = "%s limit at 96%%" % notify.label("scoped", name)
        argv = notify.command(message, env, "linux")
        assert argv is not None and argv[1] == "display-message"
        # First prove this tmux evaluates #() in display-message at all (without an attached
        # client it may not run the job); only then does "nothing ran" mean anything.
        server("display-message", "#(touch %s)" % control)
        deadline = time.monotonic() + 30
        while not control.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        if not control.exists():
            pytest.skip("this tmux ran no #() job for display-message without a client: nothing to prove")
        subprocess.run(argv, env=env, timeout=10, capture_output=True)
        # A second unescaped job after ours: once it has run, ours has had its chance too.
        again = tmp_path / "again"
        server("display-message", "#(touch %s)" % again)
        poll("the second control command", again.exists, bool, timeout=30)
        time.sleep(0.3)
        assert not pwned.exists()
        shown = server("display-message", "-p", "--", dialects.tmux_message_text(message)).rstrip("\n")
        assert shown.replace("##[", "#[") == message  # shown literally
    finally:
        server.kill()


@pytest.mark.realprog
@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_tmux_text_is_literal_in_real_tmux_for_the_corpus(tmp_path: Path) -> None:
    server = Tmux("doors")
    try:
        server.start("-d", "-s", "main", "-x", "80", "-y", "5", "sleep 600")
        for text in HOSTILE:
            text = text.replace("{pwned}", str(tmp_path / "pwned"))
            got = server("display-message", "-p", "--", dialects.tmux_message_text(text)).rstrip("\n")
            # tmux keeps "##[" through expansion for its drawing step, which shows it as "#[".
            assert got.replace("##[", "#[") == text
        time.sleep(0.3)
        assert not (tmp_path / "pwned").exists()
    finally:
        server.kill()


FAKE_NOTIFY_SEND = """#!{python}
import json, sys
with open({log!r}, "a") as f:
    f.write(json.dumps(sys.argv[1:]) + "\\n")
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="notify-send is the Linux backend")
@pytest.mark.parametrize("name", ["--help", "--icon=/etc/passwd", "<b>x</b> & <i>y</i>"])
def test_notify_send_takes_no_option_and_no_markup_from_outside(tmp_path: Path, name: str) -> None:
    import json

    bin_dir = tmp_path / "fakebin"
    bin_dir.mkdir()
    log = tmp_path / "argv.log"
    (bin_dir / "notify-send").write_text(FAKE_NOTIFY_SEND.format(python=sys.executable, log=str(log)))
    (bin_dir / "notify-send").chmod(0o755)
    env = {"PATH": str(bin_dir)}
    # The model name as the whole message (the worst case: it comes first).
    assert notify.send(name, env)
    got = poll("notify-send's argv", lambda: log.read_text() if log.exists() else "", bool)
    argv = json.loads(got.splitlines()[0])
    dash = argv.index("--")
    assert all(a.startswith("--app-name=") for a in argv[:dash])  # only our own options
    summary, body = argv[dash + 1:]
    assert summary == "Claude usage"
    import xml.etree.ElementTree as ET

    root = ET.fromstring("<x>%s</x>" % body)  # valid markup, and none of it from outside
    assert list(root) == [] and root.text == name


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


@pytest.mark.parametrize("name", ["=HYPERLINK(\"http://x\",\"y\")", "+1+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx", "a\r=cmd"])
def test_history_csv_has_no_formula_cell(name: str) -> None:
    """#15: no cell of ``history --csv`` starts a formula; the round trip keeps the name."""
    import csv
    import io

    from statusline.commands import history as history_cmd

    samples = [(1_700_000_000.0, "weekly_scoped", name, 92.0, None)]
    text = history_cmd.to_csv(samples)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert len(rows) == 2, text  # the header and one row: a CR inside a name starts no row
    for cell in rows[1]:
        assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r"), (cell, text)
    if name.isprintable():
        assert history_cmd.from_csv(text)[0][2] == name


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
