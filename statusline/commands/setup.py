"""``claude-usage setup TARGET``: print an integration, or install it with ``--install``.

The files printed are the ones in the repository's ``integrations/`` folder, shipped inside
the package as ``statusline/integrations`` (see pyproject.toml), so the docs and the code
can't drift apart. By default a target is printed (its next step on stderr) and nothing is
written; ``--install`` writes it where that program looks, creating the folders, and says
what is left to do; ``--uninstall`` removes what ``--install`` wrote (a file changed since is
moved aside as a backup, never deleted). ``claude-code`` previews its change to Claude Code's
settings, and writes it only with ``--install`` (see ``claude_settings``). Waybar's config is
the user's own JSONC, comments and all: ``--install`` prints the exact module and where it goes.
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
    "waybar": Snippet("waybar/config.jsonc",
                      "# merge into ~/.config/waybar/config.jsonc: the \"custom/claude-usage\" module, and its"
                      " name in modules-right (or -left, -center); then reload Waybar"),
    "xbar": Snippet(
        "xbar/claude-usage.1m.sh",
        "# save in xbar's or SwiftBar's plugin folder, executable   (or: setup xbar --install, for xbar)",
        ("{xbar}/claude-usage.1m.sh",),
        "xbar picks it up from its plugin folder (xbar menu: Refresh all); for SwiftBar, copy {path}"
        " into SwiftBar's plugin folder",
        0o755),
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
        "xbar": str(home / "Library" / "Application Support" / "xbar" / "plugins"),
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
        return waybar_instructions(home, env)
    text = with_fast_launch(snippet, (integrations_dir() / snippet.source).read_bytes(), env)
    where = bases(home, env)
    written: list[Path] = []
    for pattern in snippet.installs:
        from statusline.commands.claude_settings import real_target

        path = real_target(Path(pattern.format(**where)).expanduser())  # a symlinked dotfile stays a link
        path.parent.mkdir(parents=True, exist_ok=True)
        data = text
        if snippet.append and path.exists():
            current = read_users_file(path)
            if current is None:
                return 1
            if snippet.append.encode() in current:
                print(f"{path} already holds {snippet.append}: unchanged")
                continue
            data = current + (b"\n" if current and not current.endswith(b"\n") else b"") + b"\n" + text
        mode = path.stat().st_mode & 0o777 if path.exists() else snippet.mode  # the user's file keeps its mode
        atomic_write(path, data)
        path.chmod(mode)
        written.append(path)
        print(f"wrote {path}")
    if written and snippet.then:
        print(snippet.then.format(path=written[0], dir=written[0].parent))
    return 0


def read_users_file(path: Path) -> bytes | None:
    """A dotfile of the user's, through the one opener (a link followed, as a dotfile manager
    makes them; a FIFO or a device refused, never waited on); None after saying why."""
    from statusline.cache import safefiles
    from statusline.commands.claude_settings import SETTINGS_LIMIT

    try:
        return safefiles.read_regular(str(path), SETTINGS_LIMIT, follow=True)
    except OSError as exc:
        print(f"claude-usage: cannot read {path}: {exc.strerror or exc}; nothing was changed", file=sys.stderr)
        return None


def waybar_config(home: Path, env: Mapping[str, str]) -> Path:
    """Waybar's own config file: ``config.jsonc`` or the older ``config``, in its folder."""
    folder = Path(bases(home, env)["config"]) / "waybar"
    for name in ("config.jsonc", "config"):
        if (folder / name).exists():
            return folder / name
    return folder / "config.jsonc"


def waybar_instructions(home: Path, env: Mapping[str, str]) -> int:
    """Waybar's config holds the user's comments and modules: say exactly what to add, and where."""
    path = waybar_config(home, env)
    print(f"Waybar's config is yours (JSONC with comments), so it is not edited for you. In {path}:")
    print('  1. add "custom/claude-usage" to "modules-right" (or "modules-left", "modules-center");')
    print('  2. add this module beside the others, inside the top-level { }:')
    print()
    text = (integrations_dir() / "waybar" / "config.jsonc").read_text()
    start = text.index('  "custom/claude-usage": {')
    end = text.index("\n  }", start) + 4
    print(text[start:end])
    print()
    print("  3. reload Waybar (killall -SIGUSR2 waybar), or restart it.")
    return 0


def uninstall(snippet: Snippet, home: Path, env: Mapping[str, str]) -> int:
    """Remove what ``install`` wrote. A file that changed since is moved aside, not deleted; an
    appended block is cut out of the file, which is backed up first."""
    from statusline.cache.store import atomic_write
    from statusline.commands.claude_settings import backup_path

    if not snippet.installs:
        print(f"Nothing was installed for {snippet.source.split('/')[0]}: remove the module from "
              f"{waybar_config(home, env)} yourself.")
        return 0
    shipped = (integrations_dir() / snippet.source).read_bytes()
    for pattern in snippet.installs:
        path = Path(pattern.format(**bases(home, env))).expanduser()
        if not path.is_file() or path.is_symlink():
            print(f"{path}: not there; nothing to remove")
            continue
        current = read_users_file(path)
        if current is None:
            return 1
        if snippet.append:
            rest = cut_block(current, shipped, snippet.append)
            if rest is None:
                print(f"{path} holds no {snippet.append}: unchanged")
                continue
            backup = backup_path(path)
            atomic_write(backup, current)
            atomic_write(path, rest)
            print(f"removed {snippet.append} from {path} (backup: {backup})")
        elif current == shipped:
            path.unlink()
            print(f"removed {path}")
        else:
            backup = backup_path(path)
            path.rename(backup)
            print(f"{path} was changed since it was installed: moved to {backup}")
    return 0


def cut_block(current: bytes, shipped: bytes, header: str) -> bytes | None:
    """``current`` without the block ``install`` appended: the shipped text when it is there as it
    was, else the ``header`` table up to the next table. None when neither is there."""
    if shipped in current:
        head, _, tail = current.partition(shipped)
        return head.rstrip(b"\n") + (b"\n" if head.strip() else b"") + tail.lstrip(b"\n")
    lines = current.decode("utf-8", "replace").splitlines(keepends=True)
    try:
        start = next(i for i, ln in enumerate(lines) if ln.strip() == header)
    except StopIteration:
        return None
    end = next((i for i in range(start + 1, len(lines)) if lines[i].lstrip().startswith("[")), len(lines))
    while start > 0 and lines[start - 1].lstrip().startswith("#"):
        start -= 1  # the comment that came with it
    kept = "".join(lines[:start]).rstrip("\n")
    rest = "".join(lines[end:])
    return ((kept + "\n" if kept else "") + ("\n" + rest if rest and kept else rest)).encode()


def completions(home: Path, env: Mapping[str, str], shell: str | None, do_install: bool,
                do_uninstall: bool = False) -> int:
    if do_uninstall:
        for name in (shell,) if shell else SHELLS:
            uninstall(COMPLETIONS[name], home, env)
        return 0
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
        do_install: bool = False, shell: str | None = None, env: Mapping[str, str] | None = None,
        do_uninstall: bool = False) -> int:
    env = os.environ if env is None else env
    if sum((print_only, do_install, do_uninstall)) > 1:
        print("--print, --install and --uninstall: choose one.", file=sys.stderr)
        return 2
    if chain is not None and target != "claude-code":
        print(f"Note: --chain is for setup claude-code only; setup {target} ignores it.", file=sys.stderr)
    if shell is not None and target != "completions":
        print(f"Note: --shell is for setup completions only; setup {target} ignores it.", file=sys.stderr)
    if target == "claude-code":
        from statusline.commands import claude_settings

        return claude_settings.run(paths, print_only=print_only, chain=chain, do_install=do_install,
                                   uninstall=do_uninstall)
    if target == "completions":
        return completions(paths.home, env, shell, do_install, do_uninstall)
    if target not in SNIPPETS:
        print(f"unknown target {target!r}", file=sys.stderr)
        return 2
    snippet = SNIPPETS[target]
    if do_uninstall:
        return uninstall(snippet, paths.home, env)
    if do_install:
        return install(snippet, paths.home, env)
    print(snippet.hint, file=sys.stderr)
    sys.stdout.write((integrations_dir() / snippet.source).read_text())
    return 0
