"""``claude-usage-line --format i3blocks | xbar``: the line for i3blocks/polybar and for the
macOS menu bar (xbar, SwiftBar). Off the prompt's hot path: a bar runs it every few seconds.

Both read only the line view, as the line does (no ``rich``, no snapshot). xbar's dropdown
holds the panel's rows for that data: each window's bar and reset, credits, Console costs,
the status and the age; then a Refresh item that runs ``claude-usage refresh`` and one that
opens the panel in a terminal.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import Any

from statusline.cache import cache_view
from statusline.render import bars, segments


def render(fmt: str, opts: dict[str, Any], view: dict[str, Any] | None, creds: bool, note: str | None,
           env: Mapping[str, str], now: float) -> str:
    glyphs = cache_view.glyphs(opts, view, env) or "plain"  # no emoji: bars measure them badly
    numbers = cache_view.numbers(view, env)
    spans = segments.build(view, now, glyphs, creds, note, show_rate="rate" in (opts.get("show") or "").split(","),
                           numbers=numbers)
    if fmt == "i3blocks":
        return bars.i3blocks(spans, glyphs)
    # SwiftBar sets SWIFTBAR=1 for its plugins; xbar knows fewer keys (bars.literal).
    return bars.xbar(spans, bars.view_rows(view, now, _status(spans, view, now, creds), numbers), _actions(),
                     swiftbar=env.get("SWIFTBAR") == "1")


def _status(spans: list[tuple[str, str]], view: dict[str, Any] | None, now: float,
            creds: bool) -> list[tuple[str, str | None]]:
    """The line's own warning (an error, a backoff, stale data) as a row, when there is one."""
    st = segments.status(view, now, creds)
    if st == "ok":
        return []
    words = [t.strip() for t, lvl in spans if lvl in ("warn", "crit", "stale") and not t.strip()[:2].isalnum()]
    text = " ".join(w for w in words if w) or st.replace("_", " ")
    return [("Status: " + text.replace("claude: ", ""), "warn" if st != "stale" else "stale")]


def _command(name: str) -> str:
    """Our own command beside the running one (the venv's bin), else its bare name."""
    here = os.path.dirname(os.path.abspath(sys.argv[0] or ""))
    path = os.path.join(here, name)
    return path if os.access(path, os.X_OK) else name


def _param(value: str) -> str:
    return '"%s"' % value.replace('"', "") if " " in value else value


def _actions() -> list[tuple[str, str]]:
    cli = _param(_command("claude-usage"))
    return [("Refresh", "bash=%s param1=refresh terminal=false refresh=true" % cli),
            ("Open the panel", "bash=%s param1=--watch terminal=true" % cli)]
