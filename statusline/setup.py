"""``claude-usage setup TARGET``: print an integration, or install it where that is safe.

The files printed are the ones in the repository's ``integrations/`` folder, shipped inside
the package as ``statusline/integrations`` (see pyproject.toml), so the docs and the code
can't drift apart. Only ``claude-code`` installs anything (see ``claude_settings``).
"""

from __future__ import annotations

import sys
from pathlib import Path

from .paths import Paths

# target -> (file printed, one-line hint printed to stderr first)
SNIPPETS: dict[str, tuple[str, str]] = {
    "tmux": ("tmux/claude-usage.tmux",
             "# save as ~/.config/tmux/claude-usage.tmux (chmod +x), put #{claude_usage} in status-right,"
             " then add to tmux.conf: run-shell ~/.config/tmux/claude-usage.tmux"),
    "starship": ("starship/starship.toml", "# add to ~/.config/starship.toml:"),
    "zsh": ("zsh/claude-usage.plugin.zsh",
            "# save as ~/.config/claude-usage/claude-usage.plugin.zsh and add to ~/.zshrc:"
            " source ~/.config/claude-usage/claude-usage.plugin.zsh"),
    "bash": ("bash/claude-usage.bash",
             "# save as ~/.config/claude-usage/claude-usage.bash and add to ~/.bashrc:"
             " source ~/.config/claude-usage/claude-usage.bash"),
    "waybar": ("waybar/config.jsonc", "# merge into ~/.config/waybar/config.jsonc:"),
}


def integrations_dir() -> Path:
    """The integrations folder: inside the installed package, or beside it in a checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "integrations", here.parent / "integrations"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("integrations folder not found: reinstall claude-usage-line")


def run(paths: Paths, target: str, *, print_only: bool = False, chain: str | None = None) -> int:
    if target == "claude-code":
        from . import claude_settings

        return claude_settings.run(paths, print_only=print_only, chain=chain)
    if target not in SNIPPETS:
        print(f"unknown target {target!r}", file=sys.stderr)
        return 2
    rel, hint = SNIPPETS[target]
    print(hint, file=sys.stderr)
    sys.stdout.write((integrations_dir() / rel).read_text())
    return 0
