# fish completion for claude-usage-line and claude-usage (both commands, one file).
#
#   claude-usage setup completions --install --shell fish
# writes it to ~/.config/fish/completions under each command's name (fish loads a
# command's completions from the file named after it).

complete -c claude-usage-line -f
complete -c claude-usage-line -l format -x -a 'ansi tmux zsh bash plain json waybar i3blocks xbar' -d 'output format'
complete -c claude-usage-line -l mode -x -a 'auto code console' -d 'force a mode'
complete -c claude-usage-line -l glyphs -x -a 'emoji plain ascii' -d 'glyph set'
complete -c claude-usage-line -l style -x -a 'plain powerline chips' -d 'line style'
complete -c claude-usage-line -l theme -x -a 'default nord gruvbox dracula mono' -d 'colour theme (powerline, chips)'
complete -c claude-usage-line -l claude-code -d "read Claude Code's statusLine JSON on stdin"
complete -c claude-usage-line -l chain -x -a '(__fish_complete_command)' -d 'with --claude-code: also run CMD'
complete -c claude-usage-line -l show -x -a 'rate model effort context tokens cost duration lines git repo pr session cache vim agent style cwd five_hour seven_day scoped extra reset console pace age status' -d 'items to add (the session items need --claude-code)'
complete -c claude-usage-line -l hide -x -a 'rate model effort context tokens cost duration lines git repo pr session cache vim agent style cwd five_hour seven_day scoped extra reset console pace age status' -d 'items to leave out'
complete -c claude-usage-line -l no-refresh -d 'never start the background fetcher'
complete -c claude-usage-line -s h -l help -d 'show the help'
complete -c claude-usage-line -s V -l version -d 'show the version'

set -l __claude_usage_commands refresh doctor config configure setup history check
complete -c claude-usage -f
complete -c claude-usage -n "not __fish_seen_subcommand_from $__claude_usage_commands" -a refresh -d 'fetch now in the foreground'
complete -c claude-usage -n "not __fish_seen_subcommand_from $__claude_usage_commands" -a doctor -d 'diagnose credentials, cache, backoff and locks'
complete -c claude-usage -n "not __fish_seen_subcommand_from $__claude_usage_commands" -a config -d 'the effective settings and where each came from'
complete -c claude-usage -n "not __fish_seen_subcommand_from $__claude_usage_commands" -a configure -d 'edit the line live in the terminal, s saves config.toml'
complete -c claude-usage -n "not __fish_seen_subcommand_from $__claude_usage_commands" -a setup -d 'print or install an integration'
complete -c claude-usage -n "not __fish_seen_subcommand_from $__claude_usage_commands" -a history -d 'the recorded usage samples'
complete -c claude-usage -n "not __fish_seen_subcommand_from $__claude_usage_commands" -a check -d 'exit 0 when every expression holds'
complete -c claude-usage -n "not __fish_seen_subcommand_from $__claude_usage_commands" -l mode -x -a 'auto code console' -d 'force a mode'
complete -c claude-usage -n "not __fish_seen_subcommand_from $__claude_usage_commands" -l watch -d 'redraw the panel in place until Ctrl+C'
complete -c claude-usage -n "not __fish_seen_subcommand_from $__claude_usage_commands" -l interval -x -d 'how often --watch re-reads the cache (seconds)'
complete -c claude-usage -n "not __fish_seen_subcommand_from $__claude_usage_commands" -l json -d 'print the whole snapshot as JSON'
complete -c claude-usage -n "not __fish_seen_subcommand_from $__claude_usage_commands" -l all -d 'every account in the cache'
complete -c claude-usage -n "not __fish_seen_subcommand_from $__claude_usage_commands" -s V -l version -d 'show the version'
complete -c claude-usage -s h -l help -d 'show the help'
set -l __claude_usage_targets claude-code tmux starship zsh bash fish waybar xbar completions
complete -c claude-usage -n "__fish_seen_subcommand_from setup; and not __fish_seen_subcommand_from $__claude_usage_targets" -a "$__claude_usage_targets"
complete -c claude-usage -n '__fish_seen_subcommand_from setup' -l print -d 'only print what would be installed'
complete -c claude-usage -n '__fish_seen_subcommand_from setup' -l install -d 'write it where it belongs, creating folders'
complete -c claude-usage -n '__fish_seen_subcommand_from setup' -l uninstall -d 'remove what --install wrote, keeping backups'
complete -c claude-usage -n '__fish_seen_subcommand_from setup' -l chain -x -a '(__fish_complete_command)' -d 'claude-code: status command to keep beside ours'
complete -c claude-usage -n '__fish_seen_subcommand_from setup' -l shell -x -a 'bash zsh fish' -d 'completions: which shell'
complete -c claude-usage -n '__fish_seen_subcommand_from history' -l window -x -a '5h 7d routines extra' -d 'which window'
complete -c claude-usage -n '__fish_seen_subcommand_from history' -l since -x -d 'from: 2h, 1d or an ISO time'
complete -c claude-usage -n '__fish_seen_subcommand_from history' -l until -x -d 'to: like --since'
complete -c claude-usage -n '__fish_seen_subcommand_from history' -l json -d 'as JSON'
complete -c claude-usage -n '__fish_seen_subcommand_from history' -l csv -d 'as CSV'
complete -c claude-usage -n '__fish_seen_subcommand_from check' -l max-age -x -d 'oldest data accepted (default 10m)'
complete -c claude-usage -n '__fish_seen_subcommand_from check' -s q -l quiet -d 'print nothing, only the exit status'
