# bash completion for claude-usage-line and claude-usage (both commands, one file).
#
#   claude-usage setup completions --install --shell bash
# installs it where bash-completion looks (once under each command's name); or source it
# from ~/.bashrc. Plain `complete -F`: works without the bash-completion package too.

_claude_usage_line_complete() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=''
  (( COMP_CWORD > 0 )) && prev=${COMP_WORDS[COMP_CWORD-1]}
  case $prev in
    --format) COMPREPLY=($(compgen -W "ansi tmux zsh bash plain json waybar i3blocks xbar" -- "$cur")); return ;;
    --mode) COMPREPLY=($(compgen -W "auto code console" -- "$cur")); return ;;
    --glyphs) COMPREPLY=($(compgen -W "emoji plain ascii" -- "$cur")); return ;;
    --style) COMPREPLY=($(compgen -W "plain powerline chips" -- "$cur")); return ;;
    --theme) COMPREPLY=($(compgen -W "default nord gruvbox dracula mono" -- "$cur")); return ;;
    --show|--hide) COMPREPLY=($(compgen -W "rate model effort context tokens cost duration lines git repo pr session cache vim agent style cwd five_hour seven_day scoped extra reset console pace age status" -- "$cur")); return ;;
    --chain) COMPREPLY=($(compgen -c -- "$cur")); return ;;
  esac
  COMPREPLY=($(compgen -W "--format --mode --glyphs --style --theme --claude-code --chain --show --hide --no-refresh
    -h --help -V --version" -- "$cur"))
}

_claude_usage_complete() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev='' command='' target='' i
  (( COMP_CWORD > 0 )) && prev=${COMP_WORDS[COMP_CWORD-1]}
  for (( i = 1; i < COMP_CWORD; i++ )); do
    case ${COMP_WORDS[i]} in
      --mode|--interval|--chain|--shell|--window|--since|--until|--max-age) (( i++ )) ;;  # skip the option's value
      -*) ;;
      *) if [[ -z $command ]]; then command=${COMP_WORDS[i]}; elif [[ -z $target ]]; then target=${COMP_WORDS[i]}; fi ;;
    esac
  done
  case $prev in
    --mode) COMPREPLY=($(compgen -W "auto code console" -- "$cur")); return ;;
    --interval) COMPREPLY=(); return ;;
    --shell) COMPREPLY=($(compgen -W "bash zsh fish" -- "$cur")); return ;;
    --chain) COMPREPLY=($(compgen -c -- "$cur")); return ;;
    --window) COMPREPLY=($(compgen -W "5h 7d routines extra" -- "$cur")); return ;;
    --since|--until|--max-age) COMPREPLY=(); return ;;
  esac
  case $command in
    '') COMPREPLY=($(compgen -W "refresh doctor config configure setup history check --mode --watch --interval --json --all
      -h --help -V --version" -- "$cur")) ;;
    history) COMPREPLY=($(compgen -W "--window --since --until --json --csv -h --help" -- "$cur")) ;;
    check) COMPREPLY=($(compgen -W "--max-age -q --quiet -h --help" -- "$cur")) ;;
    setup)
      if [[ -z $target && $cur != -* ]]; then
        COMPREPLY=($(compgen -W "claude-code tmux starship zsh bash fish waybar xbar completions" -- "$cur"))
      else
        COMPREPLY=($(compgen -W "--print --install --uninstall --chain --shell -h --help" -- "$cur"))
      fi ;;
    *) COMPREPLY=($(compgen -W "-h --help" -- "$cur")) ;;
  esac
}

complete -F _claude_usage_line_complete claude-usage-line
complete -F _claude_usage_complete claude-usage
