"""The commands users run: ``claude-usage-line`` (line, hook) and ``claude-usage`` (cli, watch,
doctor, setup, check, history)."""
