"""Anthropic's public status page (an Atlassian Statuspage: ``/api/v2/summary.json``) as the
one small fact the line needs: is something wrong with Claude Code or the API right now.

During an outage the usage endpoint itself often fails, so the marker explains the line
(``⚠ outage``). Only what touches Claude Code or the API counts (claude.ai alone does not):
a component of theirs that is down (``outage``) or slow (``degraded``), else an incident not
yet resolved that names one of them (``incident``). Every string is cleaned here, at the
boundary, and the incident's link is kept only when it is a plain https address.
"""

from __future__ import annotations

from typing import Any

from statusline.core import clean

STATES = ("outage", "degraded", "incident")  # worst first
COMPONENT_STATES = {"major_outage": "outage", "partial_outage": "outage", "degraded_performance": "degraded"}
OVER = ("resolved", "postmortem", "completed")  # an incident in one of these is over
WORDS = ("claude code", "claude api", "api.anthropic.com")
NAME_MAX = 120
LINK_MAX = 200


def _relevant(name: Any) -> bool:
    return isinstance(name, str) and any(w in name.lower() for w in WORDS)


def link(value: Any) -> str | None:
    """An https address made only of printable ASCII without spaces or quotes, else None."""
    if not isinstance(value, str) or not value.startswith("https://") or len(value) > LINK_MAX:
        return None
    return value if all("!" <= c <= "~" and c not in "\"'<>\\`" for c in value) else None


def summary(body: Any) -> dict[str, Any]:
    """``{"state": outage|degraded|incident|None, "name", "link", "components"}`` from a
    summary.json body; ``state`` None when nothing touching Claude Code or the API is wrong."""
    doc = body if isinstance(body, dict) else {}
    comps = [c for c in doc.get("components") or () if isinstance(c, dict) and _relevant(c.get("name"))]
    states = [COMPONENT_STATES[str(c.get("status"))] for c in comps if c.get("status") in COMPONENT_STATES]
    down = [clean.text(c.get("name"), 60) for c in comps if c.get("status") in COMPONENT_STATES]
    incident = None
    for inc in doc.get("incidents") or ():
        if not isinstance(inc, dict) or inc.get("status") in OVER or inc.get("impact") == "none":
            continue
        named = [c.get("name") for c in inc.get("components") or () if isinstance(c, dict)]
        if any(_relevant(n) for n in named) or (not named and _relevant(inc.get("name"))):
            incident = inc
            break
    if incident is not None:
        states.append("incident")
    state = min(states, key=STATES.index) if states else None
    return {"state": state,
            "name": clean.text(incident.get("name"), NAME_MAX) if incident else None,
            "link": link(incident.get("shortlink")) if incident else None,
            "components": [n for n in down if n]}
