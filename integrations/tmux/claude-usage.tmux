#!/bin/sh
# claude-usage-line for tmux, a TPM-style plugin.
#
# Put #{claude_usage} in status-right or status-left, then load this file:
#   set -g @plugin 'OWNER/claude-usage-line'         (TPM; see README.md)
#   run-shell /path/to/claude-usage.tmux             (without TPM)
# Every #{claude_usage} becomes a #(...) call of claude-usage-line, which tmux re-runs each
# status-interval. The call never waits on the network, so the bar never stalls.
#
# Options (set them before the plugin loads):
#   @claude_usage_command  the command to run (default: the absolute path of
#                          claude-usage-line, found now on tmux's PATH or in ~/.local/bin)
#   @claude_usage_format   tmux (default: #[fg=...] colours) or plain (no colour)
#   @claude_usage_glyphs   plain (default: no emoji, whose widths break bars), ascii, emoji
#   @claude_usage_mode     auto (default), code or console
#
# tmux runs #() through /bin/sh with tmux's GLOBAL environment, not your shell's: that is
# why the command's path is resolved here, once, and written into the call.

placeholder='#{claude_usage}'

option() {  # option NAME DEFAULT: a global tmux option, or DEFAULT when unset or empty
    value=$(tmux show-option -gqv "$1")
    if [ -n "$value" ]; then printf '%s' "$value"; else printf '%s' "$2"; fi
}

one_of() {  # one_of VALUE DEFAULT ALLOWED...: VALUE when allowed, else DEFAULT
    candidate=$1 fallback=$2
    shift 2
    for allowed in "$@"; do
        if [ "$candidate" = "$allowed" ]; then printf '%s' "$candidate"; return; fi
    done
    printf '%s' "$fallback"
}

quote() {  # quote WORD: WORD as one /bin/sh word, with tmux's '#' doubled
    printf "'%s'" "$(printf '%s' "$1" | sed -e "s/'/'\\\\''/g" -e 's/#/##/g')"
}

resolve_command() {
    custom=$(option @claude_usage_command "")
    if [ -n "$custom" ]; then
        printf '%s' "$custom"  # used as written: the user quotes it if needed
        return
    fi
    found=$(command -v claude-usage-line 2>/dev/null)
    case $found in
        /*) ;;
        *) found= ;;
    esac
    if [ -z "$found" ]; then
        for candidate in "$HOME/.local/bin/claude-usage-line" /opt/homebrew/bin/claude-usage-line \
            /usr/local/bin/claude-usage-line; do
            if [ -x "$candidate" ]; then found=$candidate; break; fi
        done
    fi
    quote "${found:-claude-usage-line}"
}

format=$(one_of "$(option @claude_usage_format tmux)" tmux tmux plain)
glyphs=$(one_of "$(option @claude_usage_glyphs plain)" plain plain ascii emoji)
mode=$(one_of "$(option @claude_usage_mode auto)" auto auto code console)
call="#($(resolve_command) --format $format --glyphs $glyphs --mode $mode)"

interpolate() {  # every placeholder in $1 replaced by $call
    rest=$1 done=
    while :; do
        case $rest in
            *"$placeholder"*)
                done=$done${rest%%"$placeholder"*}$call
                rest=${rest#*"$placeholder"}
                ;;
            *) break ;;
        esac
    done
    printf '%s' "$done$rest"
}

for name in status-right status-left; do
    current=$(tmux show-option -gqv "$name")
    case $current in
        *"$placeholder"*) tmux set-option -gq "$name" "$(interpolate "$current")" ;;
    esac
done
