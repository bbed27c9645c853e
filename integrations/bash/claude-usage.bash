# claude-usage.bash: the Claude usage segment in your bash prompt, with no Python on the
# prompt's critical path.
#
#   source /path/to/claude-usage.bash      # in ~/.bashrc, after whatever sets PS1
#
# How: PROMPT_COMMAND reads the line rendered earlier from a small file with the `read`
# builtin (no fork, no Python), then starts `claude-usage-line --format bash` in the
# background to render the file anew for the next prompt, written atomically (temp file +
# mv). The prompt never waits for Python, let alone the network. `--format bash` wraps its
# escapes in \001 \002, so readline counts the prompt's width right.
#
# Where: at the front of PS1 by default. With CLAUDE_USAGE_PS1=0 the plugin only sets
# $claude_usage_prompt and you place it yourself, with single quotes so PS1 holds the
# reference and not the text:  PS1='${claude_usage_prompt} \w \$ '
# With bash-preexec (Starship, atuin, ...), add the hook there instead of PROMPT_COMMAND:
#   precmd_functions+=(_claude_usage_precmd)
#
# Settings, read at every prompt (shell or environment variables):
#   CLAUDE_USAGE_LINE_CMD   path of claude-usage-line (default: the fast launch `claude-usage
#                           setup` writes, ~/.local/share/claude-usage/bin/claude-usage-line,
#                           else claude-usage-line found on PATH)
#   CLAUDE_USAGE_GLYPHS     emoji (the line's default), plain or ascii (no emoji)
#   CLAUDE_USAGE_MODE       auto (default), code or console
#   CLAUDE_USAGE_THROTTLE   at most one background refresh per this many seconds (default 5)
#   CLAUDE_USAGE_MAX_AGE    hide a rendered line older than this many seconds (default 300;
#                           0: show it whatever its age; needs bash >= 4.2 for the clock)
#   CLAUDE_USAGE_PS1        1 (default): put the segment in PS1; 0: leave PS1 alone
#
# The rendered file: prompt.bash in ${CLAUDE_USAGE_CACHE_DIR:-${XDG_CACHE_HOME:-~/.cache}/claude-usage}
# (~/Library/Caches/claude-usage on macOS), one per CLAUDE_CONFIG_DIR. Line 1 is the epoch
# second it was rendered, line 2 the text. Which folder, what is trusted there and how it is
# written follow the one rule of the shell plugins (integrations/README.md, "The rule the shell
# plugins share"), written the same way in the zsh and fish plugins: a relative path from the
# environment is ignored; in a shared (sticky) folder only our own user-<uid> in it; read only a
# regular file of ours in a folder of ours; write only into a folder of ours, through a fresh
# random temp name created exclusively, then renamed; run the fast launch only when it is ours,
# and its fallback when it cannot start.
#
# promptvars safety: with promptvars on (bash's default), PS1 gets the reference
# '${claude_usage_prompt}', never the text: bash expands it once and does not scan the value
# again for $(...) or `...`, and backslash escapes are decoded before expansion, so nothing
# in the file can run. With promptvars off nothing is expanded, but backslash escapes are
# still decoded: the text goes in with every backslash doubled, so it shows literally.
# Works with bash 3.2 (macOS) and later.

if [[ -z ${_claude_usage_loaded-} ]]; then  # sourcing twice must not adopt our own PS1
  _claude_usage_loaded=1
  claude_usage_prompt=''
  _claude_usage_pid=0
  _claude_usage_started=-100000
  _claude_usage_ps1_base=${PS1-}
  _claude_usage_ps1_set=${PS1-}
fi

# Epoch seconds in $REPLY, from a builtin (empty on bash < 4.2, which has no clock builtin).
_claude_usage_now() {
  if [[ -n ${EPOCHSECONDS-} ]]; then
    REPLY=$EPOCHSECONDS
  elif (( BASH_VERSINFO[0] > 4 || (BASH_VERSINFO[0] == 4 && BASH_VERSINFO[1] >= 2) )); then
    printf -v REPLY '%(%s)T' -1
  else
    REPLY=''
  fi
}

# $1 in $REPLY when it is an absolute path (a leading ~/ is $HOME), else nothing: a relative
# XDG_* or CLAUDE_USAGE_CACHE_DIR would be resolved in whatever folder the prompt is in, so a
# repository's own file could be shown or run on `cd`. Ignored, as the XDG spec says.
_claude_usage_abs() {
  REPLY=${1-}
  if [[ $REPLY == '~' || $REPLY == '~/'* ]]; then REPLY=$HOME${REPLY:1}; fi
  [[ $REPLY == /* ]] || REPLY=''
}

# Whether $1 is a folder of ours: a directory we own; inside a shared (sticky) folder, where
# anyone may plant things, never a link.
_claude_usage_ours_dir() {
  [[ -d $1 && -O $1 ]] || return 1
  ! [[ -L $1 && -k ${1%/*} ]]
}

# Whether $1 is a file of ours: a regular file we own (not another user's, not a FIFO that would
# hang the prompt), not a link.
_claude_usage_ours_file() {
  [[ -f $1 && -O $1 && ! -L $1 ]]
}

# The fast launch `claude-usage setup` writes, in $REPLY when it is ours to run (a file of ours,
# executable, in folders of ours: whatever is at that path runs, so another user's never does).
_claude_usage_launch() {
  _claude_usage_abs "${XDG_DATA_HOME-}"
  local bin=${REPLY:-$HOME/.local/share}/claude-usage/bin
  REPLY=$bin/claude-usage-line
  _claude_usage_ours_dir "${bin%/*}" && _claude_usage_ours_dir "$bin" && _claude_usage_ours_file "$REPLY" \
    && [[ -x $REPLY ]] || REPLY=''
}

# The rendered file for the current settings, in $REPLY (no subshell).
_claude_usage_file() {
  local root key=''
  _claude_usage_abs "${CLAUDE_USAGE_CACHE_DIR-}"
  root=$REPLY
  if [[ -z $root ]]; then
    case ${OSTYPE-} in
      darwin*) root=$HOME/Library/Caches/claude-usage ;;
      *) _claude_usage_abs "${XDG_CACHE_HOME-}"; root=${REPLY:-$HOME/.cache}/claude-usage ;;
    esac
  fi
  # A folder shared with other users (sticky, like /tmp): only our own user-<uid> in it.
  [[ -k $root ]] && root=$root/user-$EUID
  [[ -n ${CLAUDE_CONFIG_DIR-} ]] && key=-${CLAUDE_CONFIG_DIR//[^A-Za-z0-9]/_}
  REPLY=$root/prompt$key.bash
}

# Runs in the background: render the line and replace the file atomically.
_claude_usage_write() {
  umask 077
  local file=$1 dir=${1%/*} out rc cmd=${CLAUDE_USAGE_LINE_CMD-} fast='' REPLY
  local tmp=$file.${SRANDOM-}$RANDOM$RANDOM$RANDOM.tmp  # a fresh name, not guessable ahead
  local -a args
  args=(--format bash)
  [[ -n ${CLAUDE_USAGE_GLYPHS-} ]] && args+=(--glyphs "$CLAUDE_USAGE_GLYPHS")
  [[ -n ${CLAUDE_USAGE_MODE-} ]] && args+=(--mode "$CLAUDE_USAGE_MODE")
  [[ -d $dir ]] || mkdir -p -m 700 -- "$dir" 2>/dev/null
  _claude_usage_ours_dir "$dir" || return  # never render into a folder not ours
  if [[ -z $cmd ]]; then
    _claude_usage_launch
    fast=$REPLY
    cmd=${fast:-claude-usage-line}
  fi
  out=$("$cmd" "${args[@]}" </dev/null 2>/dev/null)
  rc=$?
  if [[ -n $fast ]] && (( rc == 126 || rc == 127 )); then
    # The fast launch cannot start (its Python is gone): its fallback prints the line or what to
    # do, else a claude-usage-line on PATH does, so the prompt never goes blank.
    cmd=claude-usage-line
    _claude_usage_ours_file "$fast-fallback" && [[ -x $fast-fallback ]] && cmd=$fast-fallback
    out=$("$cmd" "${args[@]}" </dev/null 2>/dev/null)
    rc=$?
  fi
  (( rc == 0 )) || return
  out=${out%%$'\n'*}
  [[ -n $out ]] || return
  _claude_usage_now
  [[ -n $REPLY ]] || REPLY=$(date +%s)
  set -C  # (a background subshell) the temp file is created, never opened through a planted one
  if printf '%s\n%s\n' "$REPLY" "$out" > "$tmp" 2>/dev/null; then
    command mv -f -- "$tmp" "$file" 2>/dev/null || command rm -f -- "$tmp"
  fi
}

# Start a refresh unless one is running, one started a moment ago, or the file is fresh.
_claude_usage_refresh() {  # FILE RENDERED_AT NOW
  local throttle=${CLAUDE_USAGE_THROTTLE:-5} age since
  case $throttle in ''|*[!0-9]*) throttle=5 ;; esac
  if [[ -n $3 ]]; then
    age=$(( $3 - $2 ))
    (( age >= 0 && age < throttle )) && return  # rendered a moment ago, here or in another shell
  fi
  since=$(( SECONDS - _claude_usage_started ))
  (( since >= 0 && since < throttle )) && return
  if (( _claude_usage_pid && since < 60 )) && kill -0 "$_claude_usage_pid" 2>/dev/null; then
    return  # still running: don't stack refreshes
  fi
  _claude_usage_started=$SECONDS
  # The braces' 2>/dev/null swallows the "[1] 12345" job notice; disown the "Done" one.
  { _claude_usage_write "$1" </dev/null >/dev/null 2>&1 & } 2>/dev/null
  _claude_usage_pid=$!
  disown "$_claude_usage_pid" 2>/dev/null
}

# PS1 = segment + the rest. Whatever else set PS1 since our last write is adopted as "the
# rest", so a theme that rewrites PS1 keeps its part.
_claude_usage_place() {
  [[ $PS1 == "$_claude_usage_ps1_set" ]] || _claude_usage_ps1_base=$PS1
  local seg=''
  if [[ -n $claude_usage_prompt ]]; then
    if shopt -q promptvars; then
      seg='${claude_usage_prompt} '  # a reference: expanded once, never re-scanned
    else
      # Nothing is expanded, but backslash escapes (\e, \u, \[) still are decoded: each
      # backslash doubled (the bash dialect's door with promptvars off) shows as one.
      seg="${claude_usage_prompt//\\/\\\\} "
    fi
  fi
  PS1=$seg$_claude_usage_ps1_base
  _claude_usage_ps1_set=$PS1
}

_claude_usage_precmd() {
  local last=$? REPLY file text='' stamp=0 now max=${CLAUDE_USAGE_MAX_AGE:-300}
  _claude_usage_file
  file=$REPLY
  if _claude_usage_ours_dir "${file%/*}" && _claude_usage_ours_file "$file" && [[ -r $file ]]; then
    { IFS= read -r stamp; IFS= read -r text; } < "$file"
  fi
  case $stamp in ''|*[!0-9]*) stamp=0 ;; esac
  case $max in ''|*[!0-9]*) max=300 ;; esac
  _claude_usage_now
  now=$REPLY
  if [[ -n $now ]] && (( max > 0 && now - stamp > max )); then
    text=''
  fi
  claude_usage_prompt=$text
  _claude_usage_refresh "$file" "$stamp" "$now"
  [[ ${CLAUDE_USAGE_PS1:-1} == 0 ]] || _claude_usage_place
  return $last
}

if [[ ${PROMPT_COMMAND[*]-} != *_claude_usage_precmd* ]]; then
  if [[ $(declare -p PROMPT_COMMAND 2>/dev/null) == "declare -a"* ]]; then
    PROMPT_COMMAND+=(_claude_usage_precmd)  # bash >= 5.1 runs every element
  else
    PROMPT_COMMAND=${PROMPT_COMMAND:+$PROMPT_COMMAND$'\n'}_claude_usage_precmd
  fi
fi
