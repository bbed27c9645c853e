"""``claude-usage history``: the samples the cache kept, as a table, JSON or CSV.

Storage lives in ``history`` (the hook appends there on the hot path); this is the command's
side, which may import ``json``, ``csv`` and ``datetime``."""

from __future__ import annotations

from statusline.cache.history import load

WINDOW_NAMES = {"5h": ("five_hour", None), "five_hour": ("five_hour", None), "7d": ("seven_day", None),
                "seven_day": ("seven_day", None), "routines": ("routines", None), "extra": ("extra", None),
                "spend": ("spend", None)}
CSV_FIELDS = ("time", "window", "name", "utilization", "resets_at")


def parse_when(text, now):
    """Epoch seconds of ``2h`` / ``30m`` / ``1d`` ago, or of an ISO-8601 time (naive = local)."""
    from datetime import datetime

    from statusline.commands.check import BadExpression, parse_duration

    t = text.strip()
    try:
        return now - parse_duration(t)
    except BadExpression:
        pass
    try:
        dt = datetime.fromisoformat(t[:-1] + "+00:00" if t.endswith(("Z", "z")) else t)
    except ValueError:
        raise ValueError(f"bad time {text!r} (use e.g. 2h, 1d or 2026-11-25T10:00)") from None
    return dt.timestamp()


def iso(epoch):
    from datetime import datetime, timezone

    if epoch is None:
        return None
    return datetime.fromtimestamp(epoch, timezone.utc).isoformat(timespec="microseconds")


def select(samples, window):
    """Samples of one window named as on the line (``5h``, ``7d``) or by key or model name."""
    if not window:
        return list(samples)
    w = window.strip().lower()
    key, name = WINDOW_NAMES.get(w, ("scoped", w))
    if key == "scoped":
        return [s for s in samples if s[1] == "scoped" and (s[2] or "").lower() == name]
    return [s for s in samples if s[1] == key]


def as_dicts(samples):
    return [{"time": iso(s[0]), "window": s[1], "name": s[2], "utilization": s[3], "resets_at": iso(s[4])}
            for s in samples]


def to_csv(samples):
    import csv
    import io

    from statusline.render import dialects

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_FIELDS)
    for d in as_dicts(samples):  # every cell through the CSV door: no cell starts a formula
        w.writerow(["" if d[f] is None else repr(d[f]) if isinstance(d[f], float) else dialects.csv_cell(d[f])
                    for f in CSV_FIELDS])
    return buf.getvalue()


def from_csv(text):
    """Samples back from ``to_csv`` output (the round trip the tests check)."""
    import csv
    import io
    from datetime import datetime

    from statusline.render import dialects

    out = []
    for row in csv.DictReader(io.StringIO(text, newline="")):
        resets = row["resets_at"]
        name = dialects.csv_value(row["name"])
        out.append((datetime.fromisoformat(row["time"]).timestamp(), row["window"], name or None,
                    float(row["utilization"]), datetime.fromisoformat(resets).timestamp() if resets else None))
    return out


def table(samples, tz=None):
    from datetime import datetime

    rows = [("time", "window", "utilization", "resets")]
    for s in samples:
        label = {"five_hour": "5h", "seven_day": "7d"}.get(s[1], s[1])
        if s[2]:
            label = "%s %s" % (label, s[2]) if s[1] != "scoped" else "7d " + s[2]
        when = datetime.fromtimestamp(s[0], tz).strftime("%Y-%m-%d %H:%M:%S")
        resets = datetime.fromtimestamp(s[4], tz).strftime("%a %H:%M") if s[4] is not None else "-"
        rows.append((when, label, "%.1f%%" % s[3], resets))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    return "\n".join("  ".join(c.ljust(widths[i]) if i < 3 else c for i, c in enumerate(r)).rstrip()
                     for r in rows)


def command(acct_dir, *, window=None, since=None, until=None, fmt="table", now=None, out=None, err=None):
    """``claude-usage history``: 0, or 2 for a bad time."""
    import json
    import sys
    import time

    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    now = time.time() if now is None else now
    try:
        t0 = parse_when(since, now) if since else None
        t1 = parse_when(until, now) if until else None
    except ValueError as exc:
        print("claude-usage history: %s" % exc, file=err)
        return 2
    if t0 is not None and t1 is not None and t0 >= t1:
        print("claude-usage history: the range is %s: --since (%s) is not before --until (%s)"
              % ("empty" if t0 == t1 else "inverted", local(t0), local(t1)), file=err)
        return 2
    samples = select(load(acct_dir, since=t0, until=t1), window)
    if fmt == "json":
        out.write(json.dumps(as_dicts(samples), indent=1, allow_nan=False) + "\n")
    elif fmt == "csv":
        out.write(to_csv(samples))
    elif samples:
        out.write(table(samples) + "\n")
    elif since or until:
        span = " from %s" % local(t0) if t0 is not None else ""
        span += " until %s" % local(t1) if t1 is not None else ""
        out.write("no samples%s%s\n" % (" for %s" % window if window else "", span))
    else:
        out.write("no samples%s yet\n" % (" for %s" % window if window else ""))
    return 0


def local(epoch):
    """A time as a person reads it: local, to the second."""
    from datetime import datetime

    return datetime.fromtimestamp(epoch).strftime("%Y-%m-%d %H:%M:%S")
