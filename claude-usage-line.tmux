#!/bin/sh
# TPM runs every *.tmux file at the top of a plugin's folder: with
#   set -g @plugin 'OWNER/claude-usage-line'
# this file runs the plugin, which lives in integrations/tmux (see its README.md).
exec "$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)/integrations/tmux/claude-usage.tmux" "$@"
