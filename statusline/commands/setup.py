"""``claude-usage setup TARGET``: print an integration, or install it with ``--install``.

The files printed are the ones in the repository's ``integrations/`` folder, shipped inside
the package as ``statusline/integrations`` (see pyproject.toml), so the docs and the code
can't drift apart. By default a target is printed (its next step on stderr) and nothing is
written; ``--install`` writes it where that program looks, creating the folders, and says
what is left to do. ``claude-code`` is the exception: it edits Claude Code's settings unless
``--print`` (see ``claude_settings``).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from statusline.cache.paths import Paths

SHELLS = ("bash", "zsh", "fish")


@dataclass(frozen=True)
class Snippet:
    source: str  # relative to integrations/
    hint: str  # printed to stderr before the file when printing
    installs: tuple[str, ...] = ()  # where --install writes it, with {config} and {data} bases
    then: str = ""  # what is left to do after --install ({path} is the first file written)
    mode: int = 0o644
    append: str = ""  # append to an existing file unless it holds this text already


SNIPPETS: dict[str, Snippet] = {
    "tmux": Snippet(
        "tmux/claude-usage.tmux",
        "# save as ~/.config/tmux/claude-usage.tmux (chmod +x), put #{claude_usage} in status-right,"
        " then add to tmux.conf: run-shell ~/.config/tmux/claude-usage.tmux   (or: setup tmux --install)",
        ("{config}/tmux/claude-usage.tmux",),
        "put #{{claude_usage}} in status-right and add to tmux.conf: run-shell {path}",
        0o755),
    "starship": Snippet(
        "starship/starship.toml",
        "# add to ~/.config/starship.toml   (or: setup starship --install)",
        ("{starship}",),
        "Starship shows it from the next prompt on",
        append="[custom.claude_usage]"),
    "zsh": Snippet(
        "zsh/claude-usage.plugin.zsh",
        "# save as ~/.config/claude-usage/claude-usage.plugin.zsh and add to ~/.zshrc:"
        " source ~/.config/claude-usage/claude-usage.plugin.zsh   (or: setup zsh --install)",
        ("{config}/claude-usage/claude-usage.plugin.zsh",),
        "add to ~/.zshrc: source {path}"),
    "bash": Snippet(
        "bash/claude-usage.bash",
        "# save as ~/.config/claude-usage/claude-usage.bash and add to ~/.bashrc:"
        " source ~/.config/claude-usage/claude-usage.bash   (or: setup bash --install)",
        ("{config}/claude-usage/claude-usage.bash",),
        "add to ~/.bashrc: source {path}"),
    "fish": Snippet(
        "fish/claude-usage.fish",
        "# save as ~/.config/fish/conf.d/claude-usage.fish (fish loads conf.d by itself)"
        "   (or: setup fish --install)",
        ("{config}/fish/conf.d/claude-usage.fish",),
        "fish loads it from conf.d: open a new fish"),
    "waybar": Snippet("waybar/config.jsonc", "# merge into ~/.config/waybar/config.jsonc:"),
}

COMPLETIONS: dict[str, Snippet] = {
    "bash": Snippet(
        "completions/claude-usage.bash",
        "# bash: save where bash-completion looks, under each command's name, or source it from"
        " ~/.bashrc   (or: setup completions --shell bash --install)",
        ("{bash_completion}/claude-usage", "{bash_completion}/claude-usage-line"),
        "bash-completion loads it on first use (without bash-completion: source {path} in ~/.bashrc)"),
    "zsh": Snippet(
        "completions/_claude-usage",
        "# zsh: save as _claude-usage in a folder of $fpath, before compinit"
        "   (or: setup completions --shell zsh --install)",
        ("{data}/zsh/site-functions/_claude-usage",),
        "zsh needs its folder in fpath before compinit; in ~/.zshrc:"
        " fpath=({dir} $fpath); autoload -Uz compinit; compinit"),
    "fish": Snippet(
        "completions/claude-usage.fish",
        "# fish: save as ~/.config/fish/completions/claude-usage.fish and claude-usage-line.fish"
        "   (or: setup completions --shell fish --install)",
        ("{config}/fish/completions/claude-usage.fish", "{config}/fish/completions/claude-usage-line.fish"),
        "fish loads them on first use"),
}


def integrations_dir() -> Path:
    """The integrations folder: inside the installed package, or beside it in a checkout."""
    here = Path(__file__).resolve().parent.parent  # statusline/
    for candidate in (here / "integrations", here.parent / "integrations"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("integrations folder not found: reinstall claude-usage-line")


def bases(home: Path, env: Mapping[str, str]) -> dict[str, str]:
    """The standard user locations, as the programs themselves find them."""
    config = env.get("XDG_CONFIG_HOME") or str(home / ".config")
    data = env.get("XDG_DATA_HOME") or str(home / ".local" / "share")
    return {
        "config": config,
        "data": data,
        "starship": env.get("STARSHIP_CONFIG") or os.path.join(config, "starship.toml"),
        "bash_completion": os.path.join(env.get("BASH_COMPLETION_USER_DIR") or os.path.join(data, "bash-completion"),
                                        "completions"),
    }


def with_fast_launch(snippet: Snippet, text: bytes, env: Mapping[str, str]) -> bytes:
    """``text`` as installed: the fast launch written (see ``launcher``) and, where the target
    names the program itself (Starship's ``shell``), named by its absolute path. The tmux and
    shell plugins find the launcher by themselves, the console script when there is none."""
    if snippet.source.startswith("completions/"):
        return text  # runs no line
    from statusline.commands import launcher

    program = launcher.command(env)
    if snippet.source == "starship/starship.toml" and program != launcher.NAME:
        quoted = json.dumps(program)  # a TOML basic string is a JSON string for any path
        text = text.replace(b'shell = ["claude-usage-line",', b"shell = [" + quoted.encode() + b",", 1)
    return text


def install(snippet: Snippet, home: Path, env: Mapping[str, str]) -> int:
    """Write ``snippet`` to its places (folders created), then say what is left to do."""
    from statusline.cache.store import atomic_write

    if not snippet.installs:
        print(f"{snippet.source} can't be installed automatically: {snippet.hint.lstrip('# ')}", file=sys.stderr)
        return 2
    text = with_fast_launch(snippet, (integrations_dir() / snippet.source).read_bytes(), env)
    where = bases(home, env)
    written: list[Path] = []
    for pattern in snippet.installs:
        path = Path(pattern.format(**where)).expanduser()
        path.parent.mkdir(parents=True, exist_ok=True)
        data = text
        if snippet.append and path.exists():
            current = path.read_bytes()
            if snippet.append.encode() in current:
                print(f"{path} already holds {snippet.append}: unchanged")
                continue
            data = current + (b"\n" if current and not current.endswith(b"\n") else b"") + b"\n" + text
        atomic_write(path, data)
        path.chmod(snippet.mode)
        written.append(path)
        print(f"wrote {path}")
    if written and snippet.then:
        print(snippet.then.format(path=written[0], dir=written[0].parent))
    return 0


def completions(home: Path, env: Mapping[str, str], shell: str | None, do_install: bool) -> int:
    if shell is None and not do_install:
        shell = os.path.basename(env.get("SHELL") or "")
        if shell not in SHELLS:
            print(f"which shell? --shell {'|'.join(SHELLS)}", file=sys.stderr)
            return 2
    if do_install:
        status = 0
        for name in (shell,) if shell else SHELLS:
            status = max(status, install(COMPLETIONS[name], home, env))
        return status
    assert shell is not None
    snippet = COMPLETIONS[shell]
    print(snippet.hint, file=sys.stderr)
    sys.stdout.write((integrations_dir() / snippet.source).read_text())
    return 0


def run(paths: Paths, target: str, *, print_only: bool = False, chain: str | None = None,
        do_install: bool = False, shell: str | None = None, env: Mapping[str, str] | None = None) -> int:
    env = os.environ if env is None else env
    if print_only and do_install:
        print("--print and --install: choose one", file=sys.stderr)
        return 2
    if target == "claude-code":
        from statusline.commands import claude_settings

        return claude_settings.run(paths, print_only=print_only, chain=chain)
    if target == "completions":
        return completions(paths.home, env, shell, do_install)
    if target not in SNIPPETS:
        print(f"unknown target {target!r}", file=sys.stderr)
        return 2
    snippet = SNIPPETS[target]
    if do_install:
        return install(snippet, paths.home, env)
    print(snippet.hint, file=sys.stderr)
    sys.stdout.write((integrations_dir() / snippet.source).read_text())
    return 0
