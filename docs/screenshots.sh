#!/usr/bin/env bash
# Pictures for the README, from real programs: the line in a terminal and the tmux bar, each
# in the plain, powerline and chips styles, drawn by tmux and read back with capture-pane -e.
#
#   bash docs/screenshots.sh            # writes docs/img/*.png and docs/img/*.ansi
#
# Needs: the project's .venv (README: "Install and run"), tmux, and ImageMagick with Pango
# (Debian: apt-get install tmux imagemagick fonts-jetbrains-mono fonts-powerline). Without a
# converter it still writes the captures as text (docs/img/*.ansi; `cat` one in a terminal).
#
# Nothing here talks to Anthropic: a private HOME, cache and config, and the tests' loopback
# API server (tests/apiserver.py) answering 78 % (5-hour), 41 % (7-day), 91 % (a per-model limit).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
bin=$repo/.venv/bin
out=$repo/docs/img
mkdir -p "$out"
work=$(mktemp -d)
servers=()
cleanup() {
  for s in "${servers[@]}"; do tmux -L "$s" kill-server 2>/dev/null || true; done
  [ -n "${api_pid:-}" ] && kill "$api_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

export HOME=$work/home XDG_CONFIG_HOME=$work/home/.config CLAUDE_USAGE_CACHE_DIR=$work/cache
export TERM=xterm-256color LANG=C.UTF-8 CLAUDE_USAGE_HTTP_TIMEOUT=5
unset TMUX NO_COLOR CLAUDE_CONFIG_DIR CLAUDE_USAGE_CONFIG CLAUDE_USAGE_GLYPHS CLAUDE_USAGE_STYLE CLAUDE_USAGE_THEME
mkdir -p "$HOME/.claude"
"$bin/python" - "$HOME/.claude/.credentials.json" <<'EOF'
import json, os, sys, time
with open(sys.argv[1], "w") as fh:
    json.dump({"claudeAiOauth": {"accessToken": "sk-ant-oat01-SCREENSHOT", "expiresAt": int((time.time() + 8 * 3600) * 1000),
               "scopes": ["user:inference", "user:profile"], "subscriptionType": "max"}}, fh)
os.chmod(sys.argv[1], 0o600)
EOF

# The loopback API, until this script ends.
PYTHONPATH=$repo/tests "$bin/python" - "$work/api-url" <<'EOF' &
import sys, time
from apiserver import PROFILE_BODY, ApiServer, Reply, usage_body
server = ApiServer()
limits = [{"kind": "weekly_scoped", "group": "weekly", "percent": 91, "severity": "warning", "resets_at": None,
           "scope": {"model": {"id": None, "display_name": "Opus"}, "surface": None}, "is_active": True}]
server.set("/api/oauth/usage", Reply(200, usage_body(78.0, 41.0, limits=limits)))
server.set("/api/oauth/profile", Reply(200, PROFILE_BODY))
with open(sys.argv[1] + ".tmp", "w") as fh:
    fh.write(server.url)
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
time.sleep(600)
EOF
api_pid=$!
for _ in $(seq 100); do [ -f "$work/api-url" ] && break; sleep 0.1; done
CLAUDE_USAGE_API_URL=$(cat "$work/api-url")
export CLAUDE_USAGE_API_URL
"$bin/claude-usage" refresh >/dev/null

tmux_() { tmux -L "$1" -f /dev/null "${@:2}"; }
new_server() { local name="cu-shot-$1-$$"; servers+=("$name"); printf '%s' "$name"; }
wait_for() {  # wait_for SERVER TARGET TEXT: until the pane shows TEXT
  for _ in $(seq 100); do tmux_ "$1" capture-pane -p -t "$2" | grep -qF -- "$3" && return 0; sleep 0.1; done
  echo "screenshots: timed out waiting for '$3'" >&2; return 1
}

# 1. A terminal: the line in each style, as a shell prompt or Claude Code would print it.
term=$(new_server term)
cat > "$work/term.sh" <<EOF
line() { printf '\$ claude-usage-line %s\n' "\$*"; "$bin/claude-usage-line" --no-refresh "\$@"; }
line
line --style powerline
line --style powerline --theme nord
line --style powerline --theme gruvbox
line --style chips --glyphs ascii --theme dracula
printf 'done\n'
sleep 600
EOF
tmux_ "$term" new-session -d -s shot -x 72 -y 16 "sh $work/term.sh"
wait_for "$term" shot done
tmux_ "$term" capture-pane -p -e -t shot | sed -n '/done/q;p' > "$out/terminal.ansi"

# 2. tmux: the plugin's bar, drawn by a real client inside a second tmux.
for look in plain powerline; do
  inner=$(new_server "inner-$look")
  tmux_ "$inner" new-session -d -s main -x 90 -y 4 "sleep 600"
  for key in HOME XDG_CONFIG_HOME CLAUDE_USAGE_CACHE_DIR CLAUDE_USAGE_API_URL; do
    tmux_ "$inner" set-environment -g "$key" "${!key}"
  done
  tmux_ "$inner" set-environment -g PATH "$bin:/usr/bin:/bin"
  tmux_ "$inner" set-option -g status-interval 1
  tmux_ "$inner" set-option -g status-right-length 80
  tmux_ "$inner" set-option -g status-style "bg=colour236,fg=colour250"
  tmux_ "$inner" set-option -g @claude_usage_line_style "$look"
  tmux_ "$inner" set-option -g status-right "#{claude_usage} %H:%M "
  tmux_ "$inner" run-shell "$repo/integrations/tmux/claude-usage.tmux"
  outer=$(new_server "outer-$look")
  tmux_ "$outer" new-session -d -s view -x 90 -y 4 "env -u TMUX tmux -L $inner -f /dev/null attach -t main"
  tmux_ "$outer" set-option -g status off
  wait_for "$outer" view "7d Opus 91%"
  tmux_ "$outer" capture-pane -p -e -t view | tail -n 1 > "$out/tmux-$look.ansi"
done

# 3. Pictures, when ImageMagick can draw Pango markup.
if command -v convert >/dev/null 2>&1 && convert -list format 2>/dev/null | grep -q PANGO; then
  for capture in "$out"/*.ansi; do
    "$bin/python" "$repo/docs/ansi2pango.py" < "$capture" > "$work/shot.pango"
    # The markup as an argument: ImageMagick's default policy refuses pango:@file.
    convert -background '#1c1c1c' -bordercolor '#1c1c1c' -border 12 "pango:$(cat "$work/shot.pango")" \
      "${capture%.ansi}.png"
    echo "screenshots: ${capture%.ansi}.png"
  done
else
  echo "screenshots: no ImageMagick with Pango here; the captures are text: $out/*.ansi" >&2
fi
