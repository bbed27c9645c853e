# claude-usage.plugin.zsh: the Claude usage segment in your zsh prompt, with no Python on
# the prompt's critical path.
#
#   source /path/to/claude-usage.plugin.zsh      # in ~/.zshrc, after your theme
#
# (It also loads as a plugin with zinit, antidote, oh-my-zsh's custom/plugins, ...)
#
# How: at each prompt, precmd reads the line rendered earlier from a small file with a zsh
# builtin ($(<file): no fork, no Python), then starts `claude-usage-line --format zsh` in
# the background (&!) to render the file anew for the next prompt, written atomically
# (temp file + mv). The prompt never waits for Python, let alone the network.
#
# Where: at the front of RPROMPT by default. With CLAUDE_USAGE_RPROMPT=0 the plugin only
# sets $claude_usage_prompt and you place it yourself, e.g. with PROMPT_SUBST on:
#   setopt prompt_subst; PROMPT='${claude_usage_prompt} %~ %# '
# (single quotes: the prompt must hold the reference ${claude_usage_prompt}, not its text.)
#
# Settings, read at every prompt (shell or environment variables):
#   CLAUDE_USAGE_LINE_CMD   path of claude-usage-line (default: the fast launch `claude-usage
#                           setup` writes, ~/.local/share/claude-usage/bin/claude-usage-line,
#                           else claude-usage-line found on PATH)
#   CLAUDE_USAGE_GLYPHS     emoji (the line's default), plain or ascii (no emoji)
#   CLAUDE_USAGE_MODE       auto (default), code or console
#   CLAUDE_USAGE_THROTTLE   at most one background refresh per this many seconds (default 5)
#   CLAUDE_USAGE_MAX_AGE    hide a rendered line older than this many seconds (default 300;
#                           0: show it whatever its age), so an idle terminal's first prompt
#                           never shows an old countdown
#   CLAUDE_USAGE_RPROMPT    1 (default): put the segment in RPROMPT; 0: leave RPROMPT alone
#
# The rendered file: prompt.zsh in ${CLAUDE_USAGE_CACHE_DIR:-${XDG_CACHE_HOME:-~/.cache}/claude-usage}
# (~/Library/Caches/claude-usage on macOS), one per CLAUDE_CONFIG_DIR. Line 1 is the epoch
# second it was rendered (the throttle and max age read it, so no stat is needed), line 2
# the text. Which folder, what is trusted there and how it is written follow the one rule of
# the shell plugins (integrations/README.md, "The rule the shell plugins share"), written the
# same way in the bash and fish plugins: a relative path from the environment is ignored; in a
# shared (sticky) folder only our own user-<uid> in it; read only a regular file of ours in a
# folder of ours; write only into a folder of ours, through a fresh random temp name created
# exclusively, then renamed; run the fast launch only when it is ours, and its fallback when it
# cannot start.
#
# PROMPT_SUBST safety: the file holds prompt escapes (%F{...}, %%). With PROMPT_SUBST on,
# RPROMPT gets the reference '${claude_usage_prompt}', never the text itself: zsh expands a
# parameter once and does not scan its value again for $(...), `...` or $((...)), so
# nothing in the file can run. With PROMPT_SUBST off there is no substitution at all and
# the text goes into RPROMPT as it is. Only % escapes are ever interpreted.

zmodload -F zsh/datetime p:EPOCHSECONDS 2>/dev/null
zmodload -F zsh/system p:sysparams 2>/dev/null
autoload -Uz add-zsh-hook

if (( ! ${+_claude_usage_loaded} )); then  # sourcing twice must not adopt our own RPROMPT
  typeset -g _claude_usage_loaded=1
  typeset -g claude_usage_prompt=''
  typeset -gi _claude_usage_pid=0 _claude_usage_started=0
  typeset -g _claude_usage_rprompt_base=${RPROMPT-} _claude_usage_rprompt_set=${RPROMPT-}
fi

# $1 in $REPLY when it is an absolute path (a leading ~/ is $HOME), else nothing: a relative
# XDG_* or CLAUDE_USAGE_CACHE_DIR would be resolved in whatever folder the prompt is in, so a
# repository's own file could be shown or run on `cd`. Ignored, as the XDG spec says.
_claude_usage_abs() {
  emulate -L zsh
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
  emulate -L zsh
  _claude_usage_abs "${XDG_DATA_HOME-}"
  local bin=${REPLY:-$HOME/.local/share}/claude-usage/bin
  REPLY=$bin/claude-usage-line
  _claude_usage_ours_dir "${bin%/*}" && _claude_usage_ours_dir "$bin" && _claude_usage_ours_file "$REPLY" \
    && [[ -x $REPLY ]] || REPLY=''
}

# The rendered file for the current settings, in $REPLY (no subshell).
_claude_usage_file() {
  emulate -L zsh
  local root key=
  _claude_usage_abs "${CLAUDE_USAGE_CACHE_DIR-}"
  root=$REPLY
  if [[ -z $root ]]; then
    if [[ $OSTYPE == darwin* ]]; then
      root=$HOME/Library/Caches/claude-usage
    else
      _claude_usage_abs "${XDG_CACHE_HOME-}"
      root=${REPLY:-$HOME/.cache}/claude-usage
    fi
  fi
  # A folder shared with other users (sticky, like /tmp): only our own user-<uid> in it.
  [[ -k $root ]] && root=$root/user-$EUID
  [[ -n ${CLAUDE_CONFIG_DIR-} ]] && key=-${CLAUDE_CONFIG_DIR//[^A-Za-z0-9]/_}
  REPLY=$root/prompt$key.zsh
}

# Runs in the background: render the line and replace the file atomically.
_claude_usage_write() {
  emulate -L zsh
  umask 077
  local file=$1 dir=${1%/*} out rc cmd=${CLAUDE_USAGE_LINE_CMD-} fast= REPLY
  local tmp=$file.${sysparams[pid]:-$$}.$RANDOM$RANDOM$RANDOM.tmp  # a fresh name, not guessable ahead
  local -a args=( --format zsh )
  [[ -n ${CLAUDE_USAGE_GLYPHS-} ]] && args+=( --glyphs "$CLAUDE_USAGE_GLYPHS" )
  [[ -n ${CLAUDE_USAGE_MODE-} ]] && args+=( --mode "$CLAUDE_USAGE_MODE" )
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
  setopt noclobber  # the temp file is created, never opened through a planted one
  if print -r -- "$EPOCHSECONDS"$'\n'"$out" > "$tmp" 2>/dev/null; then
    command mv -f -- "$tmp" "$file" 2>/dev/null || command rm -f -- "$tmp"
  fi
}

# Start a refresh unless one is running, one started a moment ago, or the file is fresh.
_claude_usage_refresh() {  # FILE RENDERED_AT
  emulate -L zsh
  local throttle=${CLAUDE_USAGE_THROTTLE:-5} age=$(( EPOCHSECONDS - $2 ))
  [[ $throttle == <-> ]] || throttle=5
  (( age >= 0 && age < throttle )) && return  # rendered a moment ago, here or in another shell
  local since=$(( EPOCHSECONDS - _claude_usage_started ))
  (( since >= 0 && since < throttle )) && return
  if (( _claude_usage_pid && since < 60 )) && kill -0 $_claude_usage_pid 2>/dev/null; then
    return  # still running: don't stack refreshes
  fi
  _claude_usage_started=$EPOCHSECONDS
  _claude_usage_write "$1" &!
  _claude_usage_pid=$!
}

# RPROMPT = segment + the rest. Whatever else set RPROMPT since our last write is adopted
# as "the rest", so a theme that rewrites RPROMPT keeps its part.
_claude_usage_place() {  # SUBST (1 when PROMPT_SUBST is on)
  emulate -L zsh
  [[ $RPROMPT == "$_claude_usage_rprompt_set" ]] || _claude_usage_rprompt_base=$RPROMPT
  local seg=
  if [[ -n $claude_usage_prompt ]]; then
    if (( $1 )); then
      seg='${claude_usage_prompt}'  # a reference: expanded once, never re-scanned
    else
      seg=$claude_usage_prompt  # no substitution happens: only % escapes count
    fi
    [[ -n $_claude_usage_rprompt_base ]] && seg+=' '
  fi
  typeset -g RPROMPT=$seg$_claude_usage_rprompt_base
  _claude_usage_rprompt_set=$RPROMPT
}

_claude_usage_precmd() {
  local subst=0
  [[ -o promptsubst ]] && subst=1  # before emulate, which resets options
  emulate -L zsh
  local REPLY file text= stamp=0 max=${CLAUDE_USAGE_MAX_AGE:-300}
  local -a lines
  _claude_usage_file
  file=$REPLY
  if _claude_usage_ours_dir "${file%/*}" && _claude_usage_ours_file "$file" && [[ -r $file ]]; then
    lines=( "${(@f)$(<$file)}" )
    stamp=${lines[1]-0}
    text=${lines[2]-}
    [[ $stamp == <-> ]] || stamp=0
  fi
  [[ $max == <-> ]] || max=300
  (( max > 0 && EPOCHSECONDS - stamp > max )) && text=
  typeset -g claude_usage_prompt=$text
  _claude_usage_refresh "$file" "$stamp"
  [[ ${CLAUDE_USAGE_RPROMPT:-1} == 0 ]] || _claude_usage_place $subst
}

add-zsh-hook precmd _claude_usage_precmd
