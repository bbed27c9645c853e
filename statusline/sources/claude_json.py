"""``~/.claude.json``'s ``cachedUsageUtilization``: a usage body Claude Code saved itself.

It costs no call, but Claude Code writes it only on demand, so it can be days old: its
readings carry the ``fetchedAtMs`` they were fetched at, never the time we read them, and the
merge and the stale marker judge them by that. A copy made for another account is ignored.
"""

from __future__ import annotations

from typing import Any

from statusline.core import clean
from statusline.core.model import Usage, utc
from statusline.sources import usage_api


def usage(claude_json: dict[str, Any] | None, account_uuid: str | None, now: float) -> Usage | None:
    """The saved usage, or None when absent, another account's, or from the future."""
    if not isinstance(claude_json, dict):
        return None
    cached = claude_json.get("cachedUsageUtilization")
    if not isinstance(cached, dict):
        return None
    owner = cached.get("accountUuid")
    if isinstance(owner, str) and account_uuid and owner != account_uuid:
        return None
    at = clean.epoch(cached.get("fetchedAtMs"))
    if at is None or at > now + 300:
        return None
    body = cached.get("utilization")
    if not isinstance(body, dict):
        return None
    u = usage_api.usage(body, utc(at), source="claude-json")
    return None if u.no_limits else u
