#!/bin/sh
# claude-usage-line for tmux, a TPM-style plugin.
#
# Put #{claude_usage} in status-right or status-left, and load this file, before or after
# setting them (the order does not matter):
#   set -g @plugin 'OWNER/claude-usage-line'         (TPM; see README.md)
#   run-shell /path/to/claude-usage.tmux             (without TPM)
# Every #{claude_usage} becomes a #(...) call of claude-usage-line, which tmux re-runs each
# status-interval. The call never waits on the network, so the bar never stalls.
#
# A status line that holds the placeholder gets room for it: status-right-length at tmux's
# default 40 becomes 100 (status-left-length 10 becomes 60); any other length is yours, kept.
#
# Options (set them before the placeholder is rewritten, e.g. before TPM's `run` line):
#   @claude_usage_command  the command to run (default: the fast launch `claude-usage setup`
#                          writes, $XDG_DATA_HOME/claude-usage/bin/claude-usage-line, else
#                          ~/.local/share/..., when it is ours and runs; else the absolute path
#                          of claude-usage-line, found now on tmux's PATH or in ~/.local/bin)
#   @claude_usage_format   tmux (default: #[fg=...,bg=...] colours) or plain (no colour)
#   @claude_usage_glyphs   plain (default: no emoji, whose widths break bars), ascii, emoji
#   @claude_usage_mode     auto (default), code or console
#   @claude_usage_line_style  plain (default), powerline or chips: segments on coloured
#                          backgrounds (powerline and chips need a powerline or Nerd font,
#                          or @claude_usage_glyphs ascii)
#   @claude_usage_theme    default, nord, gruvbox, dracula or mono (powerline and chips)
#   @claude_usage_style_LEVEL   a tmux style for one level (ok, warn, high, crit, stale, muted,
#                          info), e.g. 'fg=black,bg=green', or 'none' for the bar's colours
#
# How the order stops mattering: loading rewrites the status lines and installs two hooks,
# after-set-option and session-created (tmux runs no hooks while it reads tmux.conf at start;
# the first session is created right after). Whenever one fires while a status line holds the
# placeholder, it runs this file again with --rewrite.
#
# tmux runs #() through /bin/sh with tmux's GLOBAL environment, not your shell's: that is
# why the command's path is resolved here and written into the call.
#
# The fast launch is named only when it is a regular file of ours, executable, in folders of
# ours (tmux runs whatever is at that path: another user's file never), and only when it runs
# now ("$fast" --version says claude-usage-line). The call is then `LAUNCH ARGS || FALLBACK
# ARGS`: when its Python goes away later (a venv removed), the fallback beside it (or the
# console script) still prints a line, and the segment never goes blank. A relative
# XDG_DATA_HOME is ignored, as the XDG spec says and as the line and the shell plugins do (see
# integrations/README.md).

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

absolute() {  # absolute VALUE: VALUE when it is an absolute path (a leading ~/ is $HOME)
    case $1 in
        '~' | '~/'*) printf '%s' "$HOME${1#"~"}" ;;
        /*) printf '%s' "$1" ;;
    esac
}

ours_dir() {  # ours_dir DIR: a directory we own; inside a shared (sticky) folder, never a link
    [ -d "$1" ] && [ -O "$1" ] && ! { [ -L "$1" ] && [ -k "${1%/*}" ]; }
}

ours_program() {  # ours_program FILE: a regular file of ours (not a link), executable
    [ -f "$1" ] && [ -O "$1" ] && ! [ -L "$1" ] && [ -x "$1" ]
}

fast_launch() {  # the fast launch (no `site` at start-up, see `claude-usage setup`) in $fast, when ours and it runs
    fast=$(absolute "${XDG_DATA_HOME:-}")
    bin=${fast:-$HOME/.local/share}/claude-usage/bin
    fast=$bin/claude-usage-line
    ours_dir "${bin%/*}" && ours_dir "$bin" && ours_program "$fast" || return 1
    case $("$fast" --version </dev/null 2>/dev/null) in
        'claude-usage-line '*) return 0 ;;
        *) return 1 ;;  # it cannot start (its Python is gone)
    esac
}

console_script() {  # claude-usage-line by absolute path: tmux's PATH may lack it when #() runs
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

resolve_commands() {  # $launch, the command; $fallback, what runs when it fails (or nothing)
    launch=$(option @claude_usage_command "") fallback=
    if [ -n "$launch" ]; then
        return  # used as written: the user quotes it if needed
    fi
    if fast_launch; then
        launch=$(quote "$fast")
        if ours_program "$fast-fallback"; then fallback=$(quote "$fast-fallback"); else fallback=$(console_script); fi
    else
        launch=$(console_script)
    fi
}

styles() {  # the @claude_usage_style_* options as CLAUDE_USAGE_TMUX_STYLES wants them
    spec=
    for level in ok warn high crit stale muted info; do
        style=$(option "@claude_usage_style_$level" "")
        case $style in
            *[!a-zA-Z0-9=,#_\ -]*) continue ;;  # what the line would refuse anyway
        esac
        if [ -n "$style" ]; then spec="$spec${spec:+;}$level=$style"; fi
    done
    printf '%s' "$spec"
}

make_call() {
    format=$(one_of "$(option @claude_usage_format tmux)" tmux tmux plain)
    glyphs=$(one_of "$(option @claude_usage_glyphs plain)" plain plain ascii emoji)
    mode=$(one_of "$(option @claude_usage_mode auto)" auto auto code console)
    look=$(one_of "$(option @claude_usage_line_style plain)" plain plain powerline chips)
    theme=$(one_of "$(option @claude_usage_theme default)" default default nord gruvbox dracula mono)
    extra=
    if [ "$look" != plain ]; then extra=" --style $look"; fi
    if [ "$theme" != default ]; then extra="$extra --theme $theme"; fi
    spec=$(styles)
    env=
    if [ -n "$spec" ]; then env="CLAUDE_USAGE_TMUX_STYLES=$(quote "$spec") "; fi
    # plain is tmux's own escaping without colour: "--format plain" would not double "#".
    if [ "$format" = plain ]; then format=tmux env="${env}NO_COLOR=1 "; fi
    args=" --format $format --glyphs $glyphs --mode $mode$extra"
    resolve_commands
    # tmux runs #() through /bin/sh: when the fast launch fails (its Python gone: 127), the
    # fallback prints the line, or what to do.
    if [ -n "$fallback" ]; then
        printf '%s' "#($env$launch$args || $env$fallback$args)"
    else
        printf '%s' "#($env$launch$args)"
    fi
}

interpolate() {  # interpolate TEXT CALL: every placeholder in TEXT replaced by CALL
    rest=$1 made=
    while :; do
        case $rest in
            *"$placeholder"*)
                made=$made${rest%%"$placeholder"*}$2
                rest=${rest#*"$placeholder"}
                ;;
            *) break ;;
        esac
    done
    printf '%s' "$made$rest"
}

rewrite() {  # rewrite NAME: every placeholder in that global option made a call
    current=$(tmux show-option -gqv "$1")
    case $current in
        *"$placeholder"*) ;;
        *) return ;;
    esac
    if [ -z "${call:-}" ]; then call=$(make_call); fi
    tmux set-option -gq "$1" "$(interpolate "$current" "$call")"
    roomier "$1-length"
}

roomier() {  # roomier NAME-length: at tmux's own default, too short for the line and a clock
    case "$1=$(tmux show-option -gqv "$1")" in
        status-right-length=40) tmux set-option -gq "$1" 100 ;;  # a length you chose is kept
        status-left-length=10) tmux set-option -gq "$1" 60 ;;
    esac
}

tmux_string() {  # tmux_string TEXT: TEXT as one double-quoted word of tmux's command language
    printf '"%s"' "$(printf '%s' "$1" | sed -e 's/[\\"$]/\\&/g')"
}

install_hook() {  # install_hook HOOK: run --rewrite on HOOK when a status line holds the placeholder
    case $(tmux show-hooks -g "$1" 2>/dev/null) in
        *"$self"*) return ;;  # loaded before (a re-sourced tmux.conf): one hook is enough
    esac
    # tmux itself checks for the placeholder (#} is a literal brace), so the hook costs no
    # shell unless a status line holds #{claude_usage}.
    condition='#{m:*{claude_usage#}*,#{status-left}#{status-right}}'
    run="run-shell $(tmux_string "$(quote "$self") --rewrite")"
    tmux set-hook -ga "$1" "if-shell -F '$condition' $(tmux_string "$run")"
}

rewrite status-right
rewrite status-left
if [ "${1:-}" != "--rewrite" ]; then
    self="$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)/$(basename -- "$0")"
    install_hook after-set-option  # a status line set later, or a re-sourced tmux.conf
    install_hook session-created   # tmux runs no hooks while it reads tmux.conf at start:
fi                                 # the first session comes right after
