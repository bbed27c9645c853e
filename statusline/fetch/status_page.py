"""When the fetcher asks Anthropic's status page, and what it keeps of the answer.

At most every ``INTERVAL_S`` (two minutes), and at every ``claude-usage refresh``; bounded in
time and size like every request of ours (``fetch/api.Client``). It needs no login, so local-only
mode asks it too; ``[sources] status = false`` (``CLAUDE_USAGE_STATUS=off``) asks it never.
The answer (``sources/status_page.summary``) is kept in the cache root's ``service.bin``, one for
every account of this user, and reaches the line through each account's view.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from statusline.cache import cache_view, safefiles
from statusline.fetch import api
from statusline.sources import status_page

INTERVAL_S = 120.0
SHOWN_S = 1800.0  # a state the page has not confirmed for this long is not shown
FILE = "service.bin"
VERSION = 1
DEFAULT_URL = "https://status.claude.com"
URL_ENV = "CLAUDE_USAGE_STATUS_URL"
PATH = "/api/v2/summary.json"


def url(env: Mapping[str, str]) -> str:
    return (env.get(URL_ENV) or DEFAULT_URL).rstrip("/")


def load(root: Path) -> dict[str, Any] | None:
    return cache_view.read_marshal(str(root / FILE), VERSION)


def ask(env: Mapping[str, str], now: float, previous: dict[str, Any] | None) -> dict[str, Any]:
    """One request to the status page; the record to keep. A failed request keeps the last state
    it knew (the page itself may be slow during an incident), with the failure said."""
    headers = {"User-Agent": "claude-usage-line", "Accept": "application/json"}
    outcome = api.Client(env, base=url(env)).get(PATH, headers)
    if isinstance(outcome, api.Ok):
        return {"v": VERSION, "checked": now, "seen": now, "error": None, **status_page.summary(outcome.body)}
    kept = {k: v for k, v in (previous or {}).items() if k in ("state", "name", "link", "components", "seen")}
    return {"v": VERSION, "state": None, "name": None, "link": None, "components": [], "seen": None,
            **kept, "checked": now, "error": outcome.message}


def current(root: Path, env: Mapping[str, str], now: float, enabled: bool,
            force: bool = False) -> dict[str, Any] | None:
    """The service state for the views (``{"state", "name", "link"}``), or None when all is well,
    unknown, or the status page is off. Asks the page when it is due (or ``force``)."""
    if not enabled:
        return None
    got = load(root)
    checked = got.get("checked") if got else None
    if force or not isinstance(checked, (int, float)) or not 0 <= now - checked < INTERVAL_S:
        got = ask(env, now, got)
        try:
            safefiles.makedirs_private(str(root))
            safefiles.write_atomic(str(root / FILE), safefiles.dumps_marshal(got), sync=False)
        except (OSError, ValueError):
            pass  # asked again at the next run: no worse than the interval
    return shown(got, now)


def shown(got: dict[str, Any] | None, now: float) -> dict[str, Any] | None:
    """What of a kept record the line shows: its state while the page confirmed it lately."""
    seen = got.get("seen") if got else None
    if not got or got.get("state") not in status_page.STATES or not isinstance(seen, (int, float)):
        return None
    if not 0 <= now - seen < SHOWN_S:
        return None
    return {"state": got["state"], "name": got.get("name"), "link": got.get("link")}
