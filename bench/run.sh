#!/bin/sh
# Benchmark the line as users get it: a fresh venv with a regular (non-editable) install and
# a current pip (pip < 25 writes a console-script wrapper that imports `re`, +6 ms).
#   sh bench/run.sh [--runs 300]
set -eu
cd "$(dirname "$0")/.."
VENV="${BENCH_VENV:-${TMPDIR:-/tmp}/claude-usage-line-bench}"
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install -q -U pip
"$VENV/bin/python" -m pip install -q --force-reinstall --no-deps .
"$VENV/bin/python" -m pip install -q .
exec "$VENV/bin/python" bench/line.py "$@"
