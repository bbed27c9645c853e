# ruff: noqa: E501
"""Golden output of the powerline and chips styles: 5h 78 % (warn) and 7d 41 % (ok), every target."""

GOLDEN = {
    ('ansi', 'powerline', 'plain'):
        '\x1b[22;38;5;16;48;5;220m 5h 78% \u21bb1h40m \x1b[22;38;5;220;48;5;22m\ue0b0\x1b[22;38;5;231;48;5;22m 7d 41% \x1b[22;38;5;22;49m\ue0b0\x1b[0m',
    ('ansi', 'chips', 'plain'):
        '\x1b[22;38;5;220;49m\ue0b6\x1b[22;38;5;16;48;5;220m 5h 78% \u21bb1h40m \x1b[22;38;5;220;49m\ue0b4\x1b[22;39;49m \x1b[22;38;5;22;49m\ue0b6\x1b[22;38;5;231;48;5;22m 7d 41% \x1b[22;38;5;22;49m\ue0b4\x1b[0m',
    ('tmux', 'powerline', 'plain'):
        '#[fg=colour220,bg=default,nobold]\ue0b2#[fg=colour16,bg=colour220,nobold] 5h 78% \u21bb1h40m #[fg=colour22,bg=colour220,nobold]\ue0b2#[fg=colour231,bg=colour22,nobold] 7d 41% #[default]',
    ('tmux', 'chips', 'plain'):
        '#[fg=colour220,bg=default,nobold]\ue0b6#[fg=colour16,bg=colour220,nobold] 5h 78% \u21bb1h40m #[fg=colour220,bg=default,nobold]\ue0b4#[fg=default,bg=default,nobold] #[fg=colour22,bg=default,nobold]\ue0b6#[fg=colour231,bg=colour22,nobold] 7d 41% #[fg=colour22,bg=default,nobold]\ue0b4#[default]',
    ('zsh', 'powerline', 'plain'):
        '%F{220}%k%b\ue0b2%F{16}%K{220}%b 5h 78%% \u21bb1h40m %F{22}%K{220}%b\ue0b2%F{231}%K{22}%b 7d 41%% %f%k%b',
    ('zsh', 'chips', 'plain'):
        '%F{220}%k%b\ue0b6%F{16}%K{220}%b 5h 78%% \u21bb1h40m %F{220}%k%b\ue0b4%f%k%b %F{22}%k%b\ue0b6%F{231}%K{22}%b 7d 41%% %F{22}%k%b\ue0b4%f%k%b',
    ('bash', 'powerline', 'plain'):
        '\x01\x1b[22;38;5;16;48;5;220m\x02 5h 78% \u21bb1h40m \x01\x1b[22;38;5;220;48;5;22m\x02\ue0b0\x01\x1b[22;38;5;231;48;5;22m\x02 7d 41% \x01\x1b[22;38;5;22;49m\x02\ue0b0\x01\x1b[0m\x02',
    ('bash', 'chips', 'plain'):
        '\x01\x1b[22;38;5;220;49m\x02\ue0b6\x01\x1b[22;38;5;16;48;5;220m\x02 5h 78% \u21bb1h40m \x01\x1b[22;38;5;220;49m\x02\ue0b4\x01\x1b[22;39;49m\x02 \x01\x1b[22;38;5;22;49m\x02\ue0b6\x01\x1b[22;38;5;231;48;5;22m\x02 7d 41% \x01\x1b[22;38;5;22;49m\x02\ue0b4\x01\x1b[0m\x02',
    ('ansi', 'powerline', 'ascii'):
        '\x1b[22;38;5;16;48;5;220m 5h 78% r1h40m \x1b[22;38;5;231;48;5;22m 7d 41% \x1b[0m',
    ('ansi', 'chips', 'ascii'):
        '\x1b[22;38;5;16;48;5;220m 5h 78% r1h40m \x1b[22;39;49m \x1b[22;38;5;231;48;5;22m 7d 41% \x1b[0m',
    ('tmux', 'powerline', 'ascii'):
        '#[fg=colour16,bg=colour220,nobold] 5h 78% r1h40m #[fg=colour231,bg=colour22,nobold] 7d 41% #[default]',
    ('tmux', 'chips', 'ascii'):
        '#[fg=colour16,bg=colour220,nobold] 5h 78% r1h40m #[fg=default,bg=default,nobold] #[fg=colour231,bg=colour22,nobold] 7d 41% #[default]',
    ('zsh', 'powerline', 'ascii'):
        '%F{16}%K{220}%b 5h 78%% r1h40m %F{231}%K{22}%b 7d 41%% %f%k%b',
    ('zsh', 'chips', 'ascii'):
        '%F{16}%K{220}%b 5h 78%% r1h40m %f%k%b %F{231}%K{22}%b 7d 41%% %f%k%b',
    ('bash', 'powerline', 'ascii'):
        '\x01\x1b[22;38;5;16;48;5;220m\x02 5h 78% r1h40m \x01\x1b[22;38;5;231;48;5;22m\x02 7d 41% \x01\x1b[0m\x02',
    ('bash', 'chips', 'ascii'):
        '\x01\x1b[22;38;5;16;48;5;220m\x02 5h 78% r1h40m \x01\x1b[22;39;49m\x02 \x01\x1b[22;38;5;231;48;5;22m\x02 7d 41% \x01\x1b[0m\x02',
}
