#!/usr/bin/env bash
# Pictures for the README and docs/, from real programs, drawn by tmux and read back with
# `tmux capture-pane -e`:
#   terminal.ansi        the line in a terminal, in the plain, powerline and chips styles
#   tmux-plain.ansi      the tmux status bar with the plugin (plain and powerline styles)
#   tmux-powerline.ansi
#   panel.ansi           the panel, `claude-usage --watch`, in a tmux pane
#   prompt-zsh.ansi      zsh with the plugin `claude-usage setup zsh --install` writes (RPROMPT)
#   claude-code.ansi     the real Claude Code with the statusLine `setup claude-code --install`
#   claude-code-rows.ansi  writes, in a git repository on feature/login; then in two rows
#
#   bash docs/screenshots.sh            # writes docs/img/*.ansi and docs/img/*.png
#
# Needs: the project's .venv (README: "Install"), tmux, zsh, and ImageMagick with Pango
# (Debian: apt-get install tmux zsh imagemagick libmagickcore-6.q16-6-extra fonts-jetbrains-mono
# fonts-powerline fonts-noto-color-emoji). Claude Code's pictures need node and Claude Code in
# .ci/node (as .ci/run installs it); without it they are skipped. Without a converter the script
# still writes the captures as text (docs/img/*.ansi; `cat` one in a terminal).
#
# Nothing here talks to Anthropic: a private HOME, cache and config, and the tests' loopback
# API server (tests/apiserver.py) answering 78 % (5-hour), 41 % (7-day), 91 % (a per-model
# limit) and an all-clear status page. Claude Code runs with a fake login, ANTHROPIC_BASE_URL on a
# dead port, and (where `unshare -n` works) in a network namespace of its own.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
bin=$repo/.venv/bin
out=$repo/docs/img
mkdir -p "$out"
work=$(mktemp -d)
cleanup() {  # every tmux server this run started: their names end in this shell's pid
  for s in "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)"/cu-shot-*-"$$"; do
    [ -S "$s" ] && { tmux -L "${s##*/}" kill-server 2>/dev/null; rm -f "$s"; } || true
  done
  [ -n "${api_pid:-}" ] && kill "$api_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

export HOME=$work/home XDG_CONFIG_HOME=$work/home/.config CLAUDE_USAGE_CACHE_DIR=$work/cache
export TERM=xterm-256color LANG=C.UTF-8 CLAUDE_USAGE_HTTP_TIMEOUT=5
unset TMUX NO_COLOR CLAUDE_CONFIG_DIR CLAUDE_USAGE_CONFIG CLAUDE_USAGE_GLYPHS CLAUDE_USAGE_STYLE CLAUDE_USAGE_THEME \
  CLAUDE_USAGE_NUMBERS CLAUDE_USAGE_TTL CLAUDE_USAGE_API CLAUDE_USAGE_STATUS XDG_DATA_HOME XDG_CACHE_HOME
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
server.set("/api/v2/summary.json", Reply(200, {"status": {"indicator": "none", "description": "All Systems Operational"},
                                              "components": [], "incidents": [], "scheduled_maintenances": []}))
with open(sys.argv[1] + ".tmp", "w") as fh:
    fh.write(server.url)
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
time.sleep(1200)
EOF
api_pid=$!
for _ in $(seq 100); do [ -f "$work/api-url" ] && break; sleep 0.1; done
CLAUDE_USAGE_API_URL=$(cat "$work/api-url")
CLAUDE_USAGE_STATUS_URL=$CLAUDE_USAGE_API_URL  # the status page too: the same loopback server
export CLAUDE_USAGE_API_URL CLAUDE_USAGE_STATUS_URL
"$bin/claude-usage" refresh >/dev/null

tmux_() { tmux -L "$1" -f /dev/null "${@:2}"; }
new_server() { printf 'cu-shot-%s-%s' "$1" "$$"; }  # cleanup finds it by its name
wait_for() {  # wait_for SERVER TARGET TEXT: until the pane shows TEXT
  for _ in $(seq 100); do tmux_ "$1" capture-pane -p -t "$2" | grep -qF -- "$3" && return 0; sleep 0.1; done
  echo "screenshots: timed out waiting for '$3'" >&2; return 1
}
trim() {  # a capture without the blank rows at its end
  awk '{ rows[NR] = $0; text = $0; gsub(/\033\[[0-9;:]*m/, "", text) } text ~ /[^[:space:]]/ { last = NR }
       END { for (i = 1; i <= last; i++) print rows[i] }'
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
  for key in HOME XDG_CONFIG_HOME CLAUDE_USAGE_CACHE_DIR CLAUDE_USAGE_API_URL CLAUDE_USAGE_STATUS_URL; do
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

# 3. The panel: `claude-usage --watch` in a tmux pane, redrawn in place.
panel=$(new_server panel)
tmux_ "$panel" new-session -d -s panel -x 64 -y 17 "$bin/claude-usage --watch"
wait_for "$panel" panel "Updated"
tmux_ "$panel" capture-pane -p -e -t panel | trim > "$out/panel.ansi"

# 4. A prompt: zsh with the plugin `setup zsh --install` writes, its segment in RPROMPT. The
# first prompt of a new machine shows nothing (the line is rendered in the background for the
# next one), so Enter is pressed until it shows, and the screen cleared.
if command -v zsh >/dev/null 2>&1; then
  "$bin/claude-usage" setup zsh --install >/dev/null
  mkdir -p "$HOME/src/app"
  printf '%s\n' "PROMPT='%~ %# '" "source ~/.config/claude-usage/claude-usage.plugin.zsh" > "$HOME/.zshrc"
  prompt=$(new_server prompt)
  tmux_ "$prompt" new-session -d -s zsh -x 80 -y 3 -c "$HOME/src/app" "env PATH=$bin:/usr/bin:/bin zsh -i"
  for _ in $(seq 50); do
    sleep 0.3
    tmux_ "$prompt" capture-pane -p -t zsh | grep -qF "7d Opus 91%" && break
    tmux_ "$prompt" send-keys -t zsh Enter
  done
  tmux_ "$prompt" send-keys -t zsh clear Enter
  sleep 0.5
  wait_for "$prompt" zsh "7d Opus 91%"
  tmux_ "$prompt" capture-pane -p -e -t zsh | head -n 1 > "$out/prompt-zsh.ansi"
else
  echo "screenshots: zsh not installed; no prompt picture" >&2
fi

# 5. The real Claude Code (the version .ci/run installs) with the statusLine `setup claude-code
# --install` writes, in a git repository on the branch feature/login; then the same with
# config.toml's [line] items and rows: the limits in one row, the session in another.
claude=$repo/.ci/node/node_modules/.bin/claude
if [ -x "$claude" ] && command -v node >/dev/null 2>&1; then
  version=$(cat "$repo/.ci/claude-code-version")
  proj=$HOME/src/app
  mkdir -p "$proj"
  git -C "$proj" init -q -b feature/login
  "$bin/claude-usage" setup claude-code --install >/dev/null
  "$bin/python" - "$HOME/.claude.json" "$version" "$proj" <<'EOF'
import json, sys
dotclaude, version, proj = sys.argv[1:]
with open(dotclaude, "w") as fh:
    json.dump({"hasCompletedOnboarding": True, "lastOnboardingVersion": version, "numStartups": 3,
               "projects": {proj: {"hasTrustDialogAccepted": True, "hasCompletedProjectOnboarding": True}}}, fh)
EOF
  netns=""
  unshare -n true 2>/dev/null && netns="unshare -n"  # no network at all, where we may
  # Claude Code logs in with the fake token above; what it asks goes to a dead port. The status
  # command it runs reads the cache the refresh below filled (fresh for an hour: no fetch is due).
  cc_env="HOME=$HOME PATH=$bin:/usr/bin:/bin TERM=$TERM LANG=$LANG CLAUDE_USAGE_CACHE_DIR=$CLAUDE_USAGE_CACHE_DIR"
  cc_env="$cc_env XDG_CONFIG_HOME=$XDG_CONFIG_HOME CLAUDE_USAGE_TTL=3600 ANTHROPIC_BASE_URL=http://127.0.0.1:9"
  cc_env="$cc_env DISABLE_AUTOUPDATER=1 DISABLE_INSTALLATION_CHECKS=1 CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1"
  shoot_cc() {  # shoot_cc NAME WAIT: Claude Code's screen, from the top to its status rows
    "$bin/claude-usage" refresh >/dev/null
    local cc screen
    cc=$(new_server "claude-$1")
    tmux_ "$cc" new-session -d -s cc -x 100 -y 14 -c "$proj" "$netns env -i $cc_env $claude"
    for _ in $(seq 30); do  # a first-run question (the effort callout): take its default
      sleep 1
      screen=$(tmux_ "$cc" capture-pane -p -t cc)
      case $screen in
        *"$2"*) break ;;
        *"(recommended)"*) tmux_ "$cc" send-keys -t cc Enter ;;
      esac
    done
    wait_for "$cc" cc "$2"
    sleep 2  # Claude Code's own start-up notices come and go
    tmux_ "$cc" capture-pane -p -e -t cc | trim > "$out/$1.ansi"
    tmux_ "$cc" kill-server
  }
  shoot_cc claude-code "feature/login"
  mkdir -p "$XDG_CONFIG_HOME/claude-usage"
  cat > "$XDG_CONFIG_HOME/claude-usage/config.toml" <<'EOF'
[line]
items = ["five_hour", "seven_day", "scoped", "extra", "reset", "console", "pace", "age", "status",
         "model", "effort", "context", "tokens", "cost", "duration", "lines", "git", "pr", "session", "cache"]
rows = [["five_hour", "seven_day", "scoped", "extra", "reset", "console", "pace", "age", "status"],
        ["model", "effort", "context", "tokens", "cost", "duration", "lines", "git", "pr", "session", "cache"]]
context = "usable"
EOF
  shoot_cc claude-code-rows "ctx "
  rm -f "$XDG_CONFIG_HOME/claude-usage/config.toml"
else
  echo "screenshots: no Claude Code in .ci/node (.ci/run installs it); no Claude Code pictures" >&2
fi

# 6. Pictures, when ImageMagick can draw Pango markup.
if command -v convert >/dev/null 2>&1 && convert -list format 2>/dev/null | grep -q PANGO; then
  for capture in "$out"/*.ansi; do
    "$bin/python" "$repo/docs/ansi2pango.py" < "$capture" > "$work/shot.pango"
    # The markup as an argument: ImageMagick's default policy refuses pango:@file.
    # 64 colours in a palette keep each picture small (a tenth of full colour) and look the same.
    convert -background '#1c1c1c' -bordercolor '#1c1c1c' -border 12 "pango:$(cat "$work/shot.pango")" \
      -strip -colors 64 "PNG8:${capture%.ansi}.png"
    echo "screenshots: ${capture%.ansi}.png"
  done
else
  echo "screenshots: no ImageMagick with Pango here; the captures are text: $out/*.ansi" >&2
fi
