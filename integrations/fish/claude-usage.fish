# claude-usage.fish: the Claude usage segment in your fish prompt, with no Python on the
# prompt's critical path.
#
#   claude-usage setup fish --install     # writes ~/.config/fish/conf.d/claude-usage.fish
#   (or: source /path/to/claude-usage.fish   in ~/.config/fish/config.fish)
#
# How: on every fish_prompt event, a handler reads the line rendered earlier from a small file
# with the `read` builtin (no fork, no Python) into $claude_usage_prompt, then, unless the file
# is fresh, starts a background /bin/sh that runs `claude-usage-line --format ansi` and
# replaces the file atomically (temp file + mv) for the next prompt. A lock directory keeps
# it to one render at a time across shells. The prompt never waits for Python, let alone
# the network.
#
# Where: at the front of fish_right_prompt by default (your own fish_right_prompt, if any,
# still runs after it). With CLAUDE_USAGE_RPROMPT=0 the plugin leaves fish_right_prompt alone
# and you place the segment yourself, e.g. in fish_prompt:  claude_usage_prompt
# (a function that prints $claude_usage_prompt; no fork).
#
# Settings, read at every prompt (shell or environment variables):
#   CLAUDE_USAGE_LINE_CMD   path of claude-usage-line (default: the fast launch `claude-usage
#                           setup` writes, ~/.local/share/claude-usage/bin/claude-usage-line,
#                           else claude-usage-line found on PATH)
#   CLAUDE_USAGE_GLYPHS     emoji (the line's default), plain or ascii (no emoji)
#   CLAUDE_USAGE_MODE       auto (default), code or console
#   CLAUDE_USAGE_THROTTLE   no refresh while the file is younger than this many seconds (5)
#   CLAUDE_USAGE_MAX_AGE    hide a rendered line older than this many seconds (300; 0: never)
#   CLAUDE_USAGE_RPROMPT    1 (default): put the segment in fish_right_prompt; 0: leave it
#
# The rendered file: prompt.fish in ${CLAUDE_USAGE_CACHE_DIR:-${XDG_CACHE_HOME:-~/.cache}/claude-usage}
# (~/Library/Caches/claude-usage on macOS), one per CLAUDE_CONFIG_DIR. Line 1 is the epoch
# second it was rendered, line 2 the text. Which folder, what is trusted there and how it is
# written follow the one rule of the shell plugins (integrations/README.md, "The rule the shell
# plugins share"), written the same way in the bash and zsh plugins: a relative path from the
# environment is ignored; in a shared (sticky) folder only our own user-<uid> in it; read only a
# regular file of ours in a folder of ours; write only into a folder of ours, through a fresh
# random temp name created exclusively, then renamed; run the fast launch only when it is ours,
# and its fallback when it cannot start.
#
# Safety: fish never evaluates what a prompt function prints, so a $(...) or (...) in the
# file is shown, never run. Before printing, every escape sequence other than a colour (SGR,
# ESC [ digits m) and every other control character is removed, so nothing in the file can
# retitle, clear or otherwise drive the terminal. Needs fish >= 3.1 (3.5+ reads the file's
# age with the `path` builtin; older versions ask `date`, still no Python).

if not set -q _claude_usage_loaded
    set -g _claude_usage_loaded 1
    set -g claude_usage_prompt ''
    set -g _claude_usage_os (uname 2>/dev/null)  # once, at startup: never on a prompt's path
    set -g _claude_usage_uid (id -u 2>/dev/null)  # fish has no $EUID
end

# VALUE when it is an absolute path (a leading ~/ is $HOME), else nothing: a relative XDG_* or
# CLAUDE_USAGE_CACHE_DIR would be resolved in whatever folder the prompt is in, so a
# repository's own file could be shown or run on `cd`. Ignored, as the XDG spec says.
function _claude_usage_abs --argument-names value
    if test "$value" = '~'; or string match -q '~/*' -- "$value"
        set value $HOME(string sub -s 2 -- $value)
    end
    string match -q '/*' -- "$value"; and echo $value
end

# Whether DIR is a folder of ours: a directory we own; inside a shared (sticky) folder, where
# anyone may plant things, never a link.
function _claude_usage_ours_dir --argument-names dir
    test -d "$dir"; and test -O "$dir"; or return 1
    not begin
        test -L "$dir"; and test -k (string replace -r '/[^/]*$' '' -- $dir)
    end
end

# Whether FILE is a file of ours: a regular file we own (not another user's, not a FIFO that
# would hang the prompt), not a link.
function _claude_usage_ours_file --argument-names file
    test -f "$file"; and test -O "$file"; and not test -L "$file"
end

# The fast launch `claude-usage setup` writes, when it is ours to run (a file of ours,
# executable, in folders of ours: whatever is at that path runs, so another user's never does).
function _claude_usage_launch
    set -l data (_claude_usage_abs "$XDG_DATA_HOME")
    test -n "$data"; or set data $HOME/.local/share
    set -l bin $data/claude-usage/bin
    if _claude_usage_ours_dir $data/claude-usage; and _claude_usage_ours_dir $bin
        and _claude_usage_ours_file $bin/claude-usage-line; and test -x $bin/claude-usage-line
        echo $bin/claude-usage-line
    end
end

# The rendered file for the current settings.
function _claude_usage_file
    set -l root (_claude_usage_abs "$CLAUDE_USAGE_CACHE_DIR")
    if test -z "$root"
        if test "$_claude_usage_os" = Darwin
            set root $HOME/Library/Caches/claude-usage
        else
            set root (_claude_usage_abs "$XDG_CACHE_HOME")
            test -n "$root"; or set root $HOME/.cache
            set root $root/claude-usage
        end
    end
    # A folder shared with other users (sticky, like /tmp): only our own user-<uid> in it.
    test -k $root; and set root $root/user-$_claude_usage_uid
    set -l key ''
    if test -n "$CLAUDE_CONFIG_DIR"
        set key -(string replace -ra '[^A-Za-z0-9]' _ -- $CLAUDE_CONFIG_DIR)
    end
    echo $root/prompt$key.fish
end

# Seconds since FILE was last written, or nothing when it does not exist.
function _claude_usage_age --argument-names file stamp
    if builtin -q path 2>/dev/null
        path mtime --relative -- $file 2>/dev/null
    else if string match -qr '^[0-9]+$' -- $stamp
        math (command date +%s) - $stamp
    end
end

# Start a background render unless the file is fresh; the render itself keeps to one at a time.
function _claude_usage_refresh --argument-names file age
    set -l throttle $CLAUDE_USAGE_THROTTLE
    string match -qr '^[0-9]+$' -- $throttle; or set throttle 5
    if test -n "$age"; and test "$age" -ge 0; and test "$age" -lt $throttle
        return
    end
    set -l args --format ansi
    test -n "$CLAUDE_USAGE_GLYPHS"; and set -a args --glyphs $CLAUDE_USAGE_GLYPHS
    test -n "$CLAUDE_USAGE_MODE"; and set -a args --mode $CLAUDE_USAGE_MODE
    set -l cmd $CLAUDE_USAGE_LINE_CMD
    set -l fallback ''
    if test -z "$cmd"
        set cmd (_claude_usage_launch)
        if test -n "$cmd"
            # When the fast launch cannot start (its Python is gone), its fallback prints the line
            # or what to do, else a claude-usage-line on PATH does: the prompt never goes blank.
            set fallback claude-usage-line
            if _claude_usage_ours_file $cmd-fallback; and test -x $cmd-fallback
                set fallback $cmd-fallback
            end
        else
            set cmd claude-usage-line
        end
    end
    set -l tmp $file.(random 0 2147483647)(random 0 2147483647).tmp  # a fresh name, not guessable ahead
    # In sh: the folder made (0700) and checked to be ours, a lock directory (a render younger than
    # a minute holds it), the render, then the file replaced in one rename, from a temp file
    # created exclusively (set -C). fish cannot background a function, hence sh.
    set -l script '
        umask 077
        file=$1 tmp=$2 fallback=$3
        shift 3
        dir=${file%/*} lock=$file.lock
        [ -d "$dir" ] || mkdir -p -m 700 "$dir" 2>/dev/null
        [ -d "$dir" ] && [ -O "$dir" ] && ! { [ -L "$dir" ] && [ -k "${dir%/*}" ]; } || exit 0
        if ! mkdir "$lock" 2>/dev/null; then
            [ -n "$(find "$lock" -prune -mmin +1 2>/dev/null)" ] || exit 0
            rmdir "$lock" 2>/dev/null; mkdir "$lock" 2>/dev/null || exit 0
        fi
        trap '"'"'rmdir "$lock" 2>/dev/null'"'"' EXIT
        out=$("$@" </dev/null 2>/dev/null)
        rc=$?
        if [ -n "$fallback" ] && { [ $rc -eq 126 ] || [ $rc -eq 127 ]; }; then
            shift
            out=$("$fallback" "$@" </dev/null 2>/dev/null)
            rc=$?
        fi
        [ $rc -eq 0 ] || exit 0
        out=${out%%"
"*}
        [ -n "$out" ] || exit 0
        set -C
        if printf "%s\n%s\n" "$(date +%s)" "$out" > "$tmp" 2>/dev/null; then
            mv -f "$tmp" "$file" 2>/dev/null || rm -f "$tmp"
        fi
        exit 0'
    command sh -c $script claude-usage-render $file $tmp $fallback $cmd $args </dev/null >/dev/null 2>&1 &
    disown $last_pid 2>/dev/null
end

# Keep colours (ESC [ digits m); drop every other control character, ESC included, so any
# other escape sequence is left as inert text (undecodable bytes, which fish keeps as
# U+F600..U+F6FF, go too). The colours are parked in private-use characters meanwhile, and
# only an ESC [ digits m is ever rebuilt from them.
function _claude_usage_clean --argument-names text
    string replace -ra '\e\[([0-9;]*)m' '\x{e000}$1\x{e001}' -- $text \
        | string replace -ra '[\x00-\x1f\x7f-\x{9f}\x{f600}-\x{f6ff}]' '' \
        | string replace -ra '\x{e000}([0-9;]*)\x{e001}' '\e[$1m'
end

function _claude_usage_precmd --on-event fish_prompt
    set -l last $status
    set -l file (_claude_usage_file)
    set -l stamp ''
    set -l text ''
    set -l age ''
    if _claude_usage_ours_dir (string replace -r '/[^/]*$' '' -- $file); and _claude_usage_ours_file $file
        and test -r $file
        read --line stamp text <$file
        set age (_claude_usage_age $file $stamp)
    end
    set -l max $CLAUDE_USAGE_MAX_AGE
    string match -qr '^[0-9]+$' -- $max; or set max 300
    if test $max -gt 0; and test -n "$age"; and test "$age" -gt $max
        set text ''
    end
    set -g claude_usage_prompt (_claude_usage_clean "$text" | string collect)
    _claude_usage_refresh $file "$age"
    return $last
end

function claude_usage_prompt --description 'print the Claude usage segment (no fork)'
    test -n "$claude_usage_prompt"; and printf '%s' $claude_usage_prompt
end

if test "$CLAUDE_USAGE_RPROMPT" != 0; and not functions -q _claude_usage_right_prompt
    if functions -q fish_right_prompt
        functions -c fish_right_prompt _claude_usage_user_right_prompt
    end
    function _claude_usage_right_prompt
        claude_usage_prompt
        if functions -q _claude_usage_user_right_prompt
            test -n "$claude_usage_prompt"; and printf ' '
            _claude_usage_user_right_prompt
        end
    end
    function fish_right_prompt
        _claude_usage_right_prompt
    end
end
