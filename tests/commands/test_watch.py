"""``claude-usage`` and ``--watch`` as a user meets them: Console mode without its key, and a
watch whose stdout is a pipe."""

from __future__ import annotations

import os
import subprocess

from helpers import CLI, cli, fetch, line, poll


def test_console_mode_without_an_admin_key_names_the_key(api, logged_in):
    """Not "no credentials" or "waiting": the Admin key, and how to set it, as the line says."""
    out = cli("--mode", "console").stdout
    assert "No Admin API key" in out and "ANTHROPIC_ADMIN_API_KEY" in out and "Waiting" not in out, out
    assert "No credentials found" not in out
    fetch("--mode", "console")
    out = cli("--mode", "console").stdout
    assert "No Admin API key" in out and "ANTHROPIC_ADMIN_API_KEY" in out, out
    assert "no admin key" in line("--mode", "console", "--no-refresh").stdout


def test_console_mode_with_nothing_at_all():
    out = cli("--mode", "console").stdout
    assert "No Admin API key" in out and "Settings > Admin keys" in out
    assert "no admin key" in line("--mode", "console", "--no-refresh").stdout


def test_watch_into_a_pipe_keeps_running_and_prints_on_change(warm, api, tmp_path):
    """Piped, --watch prints the panel as plain text, and again when the cache changes."""
    from apiserver import Reply, usage_body

    log = tmp_path / "watch.txt"
    with open(log, "w") as sink:
        p = subprocess.Popen([CLI, "--watch", "--interval", "0.5"], stdout=sink, stdin=subprocess.DEVNULL,
                             env=dict(os.environ, TERM="xterm-256color"))
    try:
        poll("the first panel", log.read_text, lambda t: "78%" in t)
        assert p.poll() is None, "it must keep running"
        api.set("/api/oauth/usage", Reply(200, usage_body(91.0, 41.0)))
        assert cli("refresh").returncode == 0
        text = poll("the changed panel", log.read_text, lambda t: "91%" in t)
        assert "\x1b[" not in text and text.count("Claude Code Usage") >= 2
        assert "Press q" not in text, "a pipe gets the panels alone, no key hint for a person"
    finally:
        p.terminate()
        p.wait(timeout=10)
