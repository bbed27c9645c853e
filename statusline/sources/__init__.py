"""Sources: each turns one outside format into readings (see ``statusline.core.readings``).

- ``usage_api``:   the body of ``/api/oauth/usage`` (and ``/api/oauth/profile``);
- ``claude_code``: Claude Code's statusLine input (the hook; hot-path safe);
- ``claude_json``: ``~/.claude.json``'s ``cachedUsageUtilization``, written by Claude Code;
- ``pace_maker``:  Pace Maker's ``api_cache``/``usage_snapshots`` rows and its backoff.

Each cleans and range-checks at this boundary (``statusline.core.clean``); nothing past it sees raw
outside data. ``statusline.core.readings.merge`` is where their readings meet.
"""
