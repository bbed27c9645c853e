"""``claude-usage setup TARGET``: print an integration, or install it with ``--install``.

The files printed are the ones in the repository's ``integrations/`` folder, shipped inside
the package as ``statusline/integrations`` (see pyproject.toml), so the docs and the code
can't drift apart. By default a target is printed (its next step on stderr) and nothing is
written; ``--install`` writes it where that program looks, creating the folders, records what
it wrote (``setup_record``) and says what is left to do; ``--uninstall`` takes back exactly
what the record says (``setup_files``): a file changed since is moved aside as a backup, never
deleted, a block the user edited is left with the words to remove it. ``claude-code`` previews
its change to Claude Code's settings, and writes it only with ``--install`` (see
``claude_settings``). Waybar's config is the user's own JSONC, comments and all: ``--install``
prints the exact module and where it goes. xbar and SwiftBar are macOS apps: elsewhere
``--install`` writes nothing.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from statusline.cache import cache_view
from statusline.cache.paths import Paths
from statusline.commands import launcher, setup_files, setup_record, starship_config
from statusline.commands.setup_files import Refused, real_target
from statusline.commands.setup_record import RecordError, Target, Written

SHELLS = ("bash", "zsh", "fish")


@dataclass(frozen=True)
class Snippet:
    source: str  # relative to integrations/
    hint: str  # printed to stderr before the file when printing
    installs: tuple[str, ...] = ()  # where --install writes it, with {config} and {data} bases
    then: str = ""  # what is left to do after --install ({path} is the first file written)
    mode: int = 0o644
    append: str = ""  # append to an existing file unless it holds this text already
    undo: str = ""  # what is left to do once --uninstall removed it ({path}, {dir} as in ``then``)
    launch: bool = True  # whether what it installs runs the fast launch (``launcher``)


SNIPPETS: dict[str, Snippet] = {
    "tmux": Snippet(
        "tmux/claude-usage.tmux",
        "# save as ~/.config/tmux/claude-usage.tmux (chmod +x), put #{claude_usage} in status-right,"
        " then add to tmux.conf: run-shell ~/.config/tmux/claude-usage.tmux   (or: setup tmux --install)",
        ("{config}/tmux/claude-usage.tmux",),
        "put #{{claude_usage}} in status-right and add to tmux.conf: run-shell {path}",
        0o755,
        undo="remove the line run-shell {path} from tmux.conf (the file is gone now), and #{{claude_usage}}"
             " from status-right"),
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
        "add to ~/.zshrc: source {path}",
        undo="remove the line source {path} from ~/.zshrc (the file is gone now, and zsh would say so at each"
             " start)"),
    "bash": Snippet(
        "bash/claude-usage.bash",
        "# save as ~/.config/claude-usage/claude-usage.bash and add to ~/.bashrc:"
        " source ~/.config/claude-usage/claude-usage.bash   (or: setup bash --install)",
        ("{config}/claude-usage/claude-usage.bash",),
        "add to ~/.bashrc: source {path}",
        undo="remove the line source {path} from ~/.bashrc (the file is gone now, and bash would say so at each"
             " start)"),
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
        0o755, launch=False),
}

COMPLETIONS: dict[str, Snippet] = {
    "bash": Snippet(
        "completions/claude-usage.bash",
        "# bash: save where bash-completion looks, under each command's name, or source it from"
        " ~/.bashrc   (or: setup completions --shell bash --install)",
        ("{bash_completion}/claude-usage", "{bash_completion}/claude-usage-line"),
        "bash-completion loads it on first use (without bash-completion: source {path} in ~/.bashrc)",
        undo="if ~/.bashrc sources {path}, remove that line", launch=False),
    "zsh": Snippet(
        "completions/_claude-usage",
        "# zsh: save as _claude-usage in a folder of $fpath, before compinit"
        "   (or: setup completions --shell zsh --install)",
        ("{data}/zsh/site-functions/_claude-usage",),
        "zsh needs its folder in fpath before compinit; in ~/.zshrc:"
        " fpath=({dir} $fpath); autoload -Uz compinit; compinit",
        undo="if ~/.zshrc adds {dir} to fpath, remove that", launch=False),
    "fish": Snippet(
        "completions/claude-usage.fish",
        "# fish: save as ~/.config/fish/completions/claude-usage.fish and claude-usage-line.fish"
        "   (or: setup completions --shell fish --install)",
        ("{config}/fish/completions/claude-usage.fish", "{config}/fish/completions/claude-usage-line.fish"),
        "fish loads them on first use", launch=False),
}


def integrations_dir() -> Path:
    """The integrations folder: inside the installed package, or beside it in a checkout."""
    here = Path(__file__).resolve().parent.parent  # statusline/
    for candidate in (here / "integrations", here.parent / "integrations"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("integrations folder not found: reinstall claude-usage-line")


bases = setup_files.bases


def with_fast_launch(snippet: Snippet, text: bytes, program: str) -> bytes:
    """``text`` as installed: where the target names the program itself (Starship's ``shell``),
    ``program`` (the fast launch, else the console script, by absolute path). The tmux and
    shell plugins find the launcher by themselves, the console script when there is none."""
    if snippet.source == "starship/starship.toml" and program != launcher.NAME:
        quoted = json.dumps(program)  # a TOML basic string is a JSON string for any path
        text = text.replace(b'shell = ["claude-usage-line",', b"shell = [" + quoted.encode() + b",", 1)
    return text


def _entry_for(target: Target | None, named: Path) -> Written | None:
    """The record's entry for the file reached at ``named`` (by its own path or the link's)."""
    if target is None:
        return None
    real = str(real_target(named))
    return next((w for w in target.files if w.path == real or w.link == str(named)), None)


def install(name: str, snippet: Snippet, home: Path, env: Mapping[str, str]) -> int:
    """Write ``snippet`` to its places (folders created), record what was written, then say what
    is left to do. All or nothing: a step that fails undoes the ones before it."""
    if not snippet.installs:
        return waybar_install(home, env)
    try:
        begun = setup_files.begin(env, snippet.launch)
    except (Refused, RecordError) as exc:
        print(f"claude-usage: {exc}", file=sys.stderr)
        return 1
    program = (begun.launch.path if begun.launch else None) or launcher.console_script()
    text = with_fast_launch(snippet, (integrations_dir() / snippet.source).read_bytes(), program)
    where = bases(home, env)
    old = begun.record.targets.get(name)
    try:
        steps = []
        for pattern in snippet.installs:
            named = Path(pattern.format(**where)).expanduser()
            prior = _entry_for(old, named)
            if snippet.append:
                step = setup_files.plan_block(named, text, snippet.append, snippet.mode, prior)
                problem = starship_config.toml_problem(step.previous, step.data, snippet.append)
                if problem:
                    raise Refused(f"{step.path} {problem}: nothing was changed")
            else:
                step = setup_files.plan_whole(named, text, snippet.mode, prior)
            steps.append(step)
    except Refused as exc:
        setup_files.abandon(begun, env)
        print(f"claude-usage: {exc}", file=sys.stderr)
        return 1
    dirs: list[Path] = []
    for step in steps:
        dirs += [d for d in setup_files.missing_dirs(step.path.parent) if d not in dirs and step.data is not None]
    target = Target(tuple(s.entry for s in steps if s.entry), launch=snippet.launch)
    applied: list[setup_files.Step] = []
    doing = setup_record.where(env)
    try:
        setup_record.save(setup_record.with_target(begun.record, name, target, begun.created
                                                   + tuple(map(str, dirs))), env)
        for d in dirs:
            doing = d
            d.mkdir(exist_ok=True)
        for step in steps:
            doing = step.path
            setup_files.apply(step)
            applied.append(step)
    except (OSError, RecordError) as exc:
        for step in reversed(applied):
            setup_files.undo(step)
        setup_files.remove_empty([str(d) for d in dirs])
        setup_files.abandon(begun, env)
        print(f"claude-usage: cannot write {doing}: {setup_files.why(exc)}; nothing was changed", file=sys.stderr)
        return 1
    for step in steps:
        print(step.note)
    first = steps[0].path
    hidden = starship_config.hidden(steps[0].path, steps[0].data or steps[0].previous) if snippet.append else None
    if hidden:
        print(hidden)
    elif snippet.then:
        print(snippet.then.format(path=first, dir=first.parent))
    return 0


def waybar_config(home: Path, env: Mapping[str, str]) -> Path:
    """Waybar's own config file: ``config.jsonc`` or the older ``config``, in its folder."""
    folder = Path(bases(home, env)["config"]) / "waybar"
    for name in ("config.jsonc", "config"):
        if (folder / name).exists():
            return folder / name
    return folder / "config.jsonc"


def waybar_module(exec_line: str, click: str) -> str:
    """The shipped module, with the command Waybar runs (through ``sh -c``) and the click's."""
    text = (integrations_dir() / "waybar" / "config.jsonc").read_text()
    start = text.index('  "custom/claude-usage": {')
    end = text.index("\n  }", start) + 4
    module = text[start:end]
    module = module.replace('"exec": "claude-usage-line --format waybar"', '"exec": ' + json.dumps(exec_line), 1)
    return module.replace('"on-click": "claude-usage refresh"', '"on-click": ' + json.dumps(click), 1)


def waybar_install(home: Path, env: Mapping[str, str]) -> int:
    """Waybar's config holds the user's comments and modules: say exactly what to add, and where.
    The fast launch it names is written, and recorded as Waybar's (``--uninstall`` forgets it)."""
    try:
        begun = setup_files.begin(env, True)
        assert begun.launch is not None
        setup_record.save(setup_record.with_target(begun.record, "waybar", Target(), begun.created), env)
    except (Refused, RecordError, OSError) as exc:
        print(f"claude-usage: {exc}", file=sys.stderr)
        return 1
    exec_line = launcher.command_line(begun.launch.path, ["--format", "waybar"])
    click = shlex.quote(launcher.cli_script()) + " refresh"
    path = waybar_config(home, env)
    print(f"Waybar's config is yours (JSONC with comments), so it is not edited for you. In {path}:")
    print('  1. add "custom/claude-usage" to "modules-right" (or "modules-left", "modules-center");')
    print('  2. add this module beside the others, inside the top-level { }:')
    print()
    print(waybar_module(exec_line, click))
    print()
    print("  3. reload Waybar (killall -SIGUSR2 waybar), or restart it.")
    return 0


def uninstall(name: str, snippet: Snippet, home: Path, env: Mapping[str, str],
              check: tuple[Path, ...] = ()) -> int:
    """Take back what ``install`` wrote, as its record says. A whole file changed since is moved
    aside, never deleted; an appended block is taken out only as it was written, else left (and
    said). ``check``: files that may name the fast launch without a record (see ``finish``)."""
    try:
        record = setup_record.load(env)
    except RecordError as exc:
        print(f"claude-usage: {exc}", file=sys.stderr)
        return 1
    old = record.targets.get(name)
    status, left, notes = 0, [], []
    if not snippet.installs:
        notes.append(f"Nothing was written for {name}: remove the module from {waybar_config(home, env)} yourself.")
    else:
        text = with_fast_launch(snippet, (integrations_dir() / snippet.source).read_bytes(),
                                launcher.command(env, write=False))
        again = f"`claude-usage setup {name.replace('/', ' --shell ')} --uninstall`"
        named_all = [Path(p.format(**bases(home, env))).expanduser() for p in snippet.installs]
        entries = [(n, _entry_for(old, n)) for n in named_all]
        seen = {e.path for _, e in entries if e}
        entries += [(Path(w.link or w.path), w) for w in (old.files if old else ()) if w.path not in seen]
        for named, entry in entries:
            try:
                if entry is not None:
                    taken = setup_files.take_back(entry, snippet.append or str(named), again)
                else:
                    taken = setup_files.take_back_unrecorded(named, text, snippet.append or None)
            except Refused as exc:
                print(f"claude-usage: {exc}", file=sys.stderr)
                status = 1
                if entry is not None:
                    left.append(entry)
                continue
            if taken.done:
                notes.append(taken.note)
            else:
                print(f"claude-usage: {taken.note}", file=sys.stderr)
                status = 1
                assert entry is not None
                left.append(entry)
        first = named_all[0]
        took = old is not None or any(n.startswith("removed") for n in notes)
        if snippet.undo and took and not first.exists():
            notes.append(snippet.undo.format(path=first, dir=first.parent))
    for note in notes:
        print(note)
    if old is not None and left:
        after = setup_record.with_target(record, name, replace(old, files=tuple(left)))
    else:
        after = setup_record.without_target(record, name)
    return setup_files.finish_and_report(record, after, env, check) or status


def completions(home: Path, env: Mapping[str, str], shell: str | None, do_install: bool,
                do_uninstall: bool = False, check: tuple[Path, ...] = ()) -> int:
    """Completions for one shell (``--shell``) or, to install or uninstall, for every one."""
    if do_uninstall:
        return max(uninstall(f"completions/{name}", COMPLETIONS[name], home, env, check)
                   for name in ((shell,) if shell else SHELLS))
    if shell is None and not do_install:
        shell = os.path.basename(env.get("SHELL") or "")
        if shell not in SHELLS:
            print(f"which shell? --shell {'|'.join(SHELLS)}", file=sys.stderr)
            return 2
    if do_install:
        return max(install(f"completions/{name}", COMPLETIONS[name], home, env)
                   for name in ((shell,) if shell else SHELLS))
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
    # Files that may name the fast launch though the record does not say so (set up before it).
    check = (paths.settings_file, Path(bases(paths.home, env)["starship"]).expanduser())
    if target == "claude-code":
        from statusline.commands import claude_settings

        return claude_settings.run(paths, print_only=print_only, chain=chain, do_install=do_install,
                                   uninstall=do_uninstall, env=env, check=check[1:])
    if target == "completions":
        return completions(paths.home, env, shell, do_install, do_uninstall, check)
    if target not in SNIPPETS:
        print(f"unknown target {target!r}", file=sys.stderr)
        return 2
    snippet = SNIPPETS[target]
    if do_uninstall:
        return uninstall(target, snippet, paths.home, env, check)
    if do_install:
        if target == "xbar" and cache_view.platform(env) != "darwin":
            print("xbar and SwiftBar are macOS apps: on this system `setup xbar --install` writes nothing. "
                  "`claude-usage setup xbar` prints the plugin, to save in such an app's plugin folder, "
                  "executable.", file=sys.stderr)
            return 1
        return install(target, snippet, paths.home, env)
    print(snippet.hint, file=sys.stderr)
    sys.stdout.write((integrations_dir() / snippet.source).read_text())
    return 0
