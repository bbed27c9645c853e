"""The fast launch's hot path, precompiled into one file beside the launcher.

Why: imported the usual way, each of the line's twenty modules is searched for in its folder,
its source and bytecode are looked at and read on their own, file by file; that machinery cost
more than the modules' own code (``python bench/line.py --precompiled``). ``claude-usage setup``
writes their code objects into one file, which the launcher (see ``commands/launcher``) reads
once and serves from, before any folder is searched.

It is used only while it is exactly this install's: written for this Python (its cache tag
heads the file), owned by us and writable by no one else, and every module's source still has
the size and modification time it was compiled from. Anything else (an upgrade in place, an
edited checkout, another Python) and every module is imported from its folder as usual, until
``setup`` writes the file again (``doctor`` says when). The sources themselves are never
replaced: a traceback still shows their lines.

How the launcher starts, with no module imported from a folder (each such import costs the path
finder's search, stat and read: 0.3 ms for the three the launcher used to import):
1. ``own_file``, whose source the launcher's text holds, opens the file only when it is ours,
   writable by no one else, small, and for this Python. That is the one check of the file:
   ``load`` (setup, doctor) calls the same function.
2. The file's head holds ``boot``'s code object, compiled from this module. ``boot`` checks that
   every source is unchanged, then runs the modules the command is sure to need (``EAGER``) in
   the order their imports need, without importlib's machinery; a finder serves the others when
   they are first imported. Should anything fail half-way, every module it made is taken out of
   ``sys.modules`` and the folders serve as usual.

Stdlib only. ``own_file`` and ``boot`` use nothing but their arguments and the builtins: one runs
as source in the launcher, the other as code from the file, with no module of ours loaded yet.
"""

import marshal
import sys

# The modules the line and the hook may import, lazily ones included; a test checks that this
# covers all of them. Listed in any order: ``build`` orders them by their imports.
HOT_MODULES = (
    "statusline", "statusline.commands",
    "statusline.version",
    "statusline.core", "statusline.core.clean", "statusline.core.items", "statusline.core.jsonlite",
    "statusline.core.readings",
    "statusline.core.forecast",
    "statusline.sources", "statusline.sources.claude_code", "statusline.sources.git_head",
    "statusline.cache", "statusline.cache.oslite", "statusline.cache.fastpaths", "statusline.cache.safefiles",
    "statusline.cache.cache_view", "statusline.cache.history", "statusline.cache.spawn",
    "statusline.render", "statusline.render.cells", "statusline.render.dialects", "statusline.render.items",
    "statusline.render.layout", "statusline.render.segments", "statusline.render.themes",
    "statusline.render.lineformats", "statusline.render.notify", "statusline.render.bars",
    "statusline.commands.bars", "statusline.commands.hook", "statusline.commands.line",
)
# What ``boot`` runs at once, with every module these import at their top: (the argument that
# asks for it, or None for every command; the modules). Only speed rests on this: a module left
# out is served by the finder when it is imported, and one put in needlessly costs its own run.
EAGER = (
    (None, ("statusline.commands.line",)),
    ("--claude-code", ("statusline.commands.hook", "statusline.render.items", "statusline.sources.git_head",
                       "statusline.cache.spawn")),
)
FILE = "claude-usage-line.code"  # beside the launcher (``launcher.code_path``)
LIMIT = 4 << 20  # bytes: ours is about 300 KB
HEAD = "claude-usage precompiled 2 "  # then the cache tag: the format's version, then Python's


def package_parent(resolve=True):
    """The folder holding this install's ``statusline`` package (site-packages, or a checkout),
    links resolved: what ``build`` records and ``boot`` compares the sources' paths with. With
    ``resolve`` False, as this module was imported from (the same unless a link is on the way)."""
    import os

    return os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__) if resolve else __file__)))


def tag():
    """The file's first line: which Python's bytecode it holds (marshal's format is per version)."""
    return (HEAD + sys.implementation.cache_tag + "\n").encode()


def own_file(path, head, limit):
    """(boot's code, the table, the eager groups, where the code starts) and the file's bytes,
    from the precompiled file at ``path``; None unless it is a regular file of ours, writable by
    no one else, at most ``limit`` bytes, for the running Python (``head`` then its cache tag,
    as ``tag()`` writes it: this function cannot call it) and well formed. The one check of the
    file: the launcher holds this function's source and runs it before anything of ours is
    loaded, so it uses only builtin modules. Kept short: the launcher's text is compiled at
    every start."""
    import marshal
    import posix
    import sys

    try:
        fd = posix.open(path, posix.O_RDONLY | posix.O_NOFOLLOW | posix.O_CLOEXEC | posix.O_NONBLOCK)
    except (OSError, TypeError, ValueError):
        return None
    try:  # a regular file (0o100000), not writable by group or others (0o022), ours, not huge
        st = posix.fstat(fd)
        ok = st.st_mode & 0o170022 == 0o100000 and st.st_uid == posix.geteuid() and st.st_size <= limit
        data = posix.read(fd, st.st_size) if ok else b""
    except OSError:
        data = b""
    finally:
        posix.close(fd)
    head = (head + sys.implementation.cache_tag + "\n").encode()
    try:  # marshal reads the head and leaves the code behind it
        return (marshal.loads(memoryview(data)[len(head):]), data) if data.startswith(head) else None
    except Exception:  # noqa: BLE001 - garbled in any way: the folders, as usual
        return None


def boot(opened, argv, site, serve):
    """{module name: (is package, source, code bytes)} from ``own_file``'s result when every
    source is unchanged and under ``site`` (the folder holding ``statusline``: this install's,
    not another's sharing the data home), else None. With ``serve``, the modules ``argv`` is sure
    to need run now, in order, and a finder first on ``sys.meta_path`` serves the rest; None then
    when anything fails, with every module it made taken out again. Stored in the file as code:
    it may use only its arguments, builtin modules and the builtins, and its arguments have no
    defaults (a code object does not carry them)."""
    import marshal
    import posix
    import sys

    modules = {}
    try:
        (_, table, groups, body), data = opened
        if body + sum(entry[6] for entry in table) != len(data):
            return None  # cut short, or longer than written
        under = site.rstrip("/") + "/"
        for name, is_pkg, origin, mtime_ns, length, at, size in table:
            if not origin.startswith(under):
                return None
            st = posix.stat(origin)
            if st.st_mtime_ns != mtime_ns or st.st_size != length:
                return None  # an upgrade or an edit since, or a short file: not one module from here
            modules[name] = (is_pkg, origin, memoryview(data)[body + at:body + at + size])
    except Exception:  # noqa: BLE001 - a source gone, a garbled table: the folders, as usual
        return None
    if not serve:
        return modules
    from _frozen_importlib import ModuleSpec

    class Finder:
        """Serves the file's modules that were not run at once, when they are first imported."""

        def find_spec(self, name, path=None, target=None):
            entry = modules.get(name)
            return None if entry is None else spec(name, entry)

        def create_module(self, spec):
            return None  # the usual module object

        def exec_module(self, module):
            exec(marshal.loads(modules[module.__spec__.name][2]), module.__dict__)

    finder = Finder()

    def spec(name, entry):
        s = ModuleSpec(name, finder, origin=entry[1], is_package=entry[0])
        s.has_location = True  # __file__ is the source's: tracebacks and paths stay as usual
        if entry[0]:  # a package's other modules are still found in its folder
            s.submodule_search_locations = [entry[1].rpartition("/")[0]]
        return s

    made = []
    try:
        for flag, names in groups:
            if flag is not None and flag not in argv:
                continue
            for name in names:  # in the order their imports need
                if name in sys.modules:
                    continue
                is_pkg, origin, code = modules[name]
                module = type(sys)(name)
                module.__spec__ = s = spec(name, modules[name])
                module.__loader__, module.__file__ = finder, origin
                module.__package__ = name if is_pkg else name.rpartition(".")[0]
                if is_pkg:
                    module.__path__ = s.submodule_search_locations
                sys.modules[name] = module
                made.append(name)
                exec(marshal.loads(code), module.__dict__)
                parent, _, child = name.rpartition(".")
                if parent:
                    setattr(sys.modules[parent], child, module)
    except Exception:  # noqa: BLE001 - whatever failed, the folders serve every module as usual
        for name in made:
            sys.modules.pop(name, None)
        return None
    sys.meta_path.insert(0, finder)
    return modules


def load(path, site):
    """{module name: (is package, source path, its code's marshal bytes)} from the file at
    ``path``, or None when it is missing, not ours, for another Python or another install
    (``site``), or any module's source changed since: what ``setup`` and ``doctor`` ask; the
    launcher checks with the same two functions."""
    opened = own_file(path, HEAD, LIMIT)
    return None if opened is None else boot(opened, (), site, False)


def serve(path, argv):
    """The console script's start (``commands/entry``): the hot path from the fast launch's file
    at ``path`` when it is this install's, as the launcher does; whether it is. This install's
    folder is first taken as this module was imported from, which is ``package_parent()`` unless
    a link is on the way; only when the file's sources are not under it are links resolved
    (``realpath``'s lstat of every part costs more than the rest of this check)."""
    opened = own_file(path, HEAD, LIMIT)
    if opened is None:
        return False
    here = package_parent(resolve=False)
    if boot(opened, argv, here, True) is not None:
        return True
    resolved = package_parent()
    return resolved != here and boot(opened, argv, resolved, True) is not None


def top_imports(source, name, known):
    """The modules of ``known`` that module ``name`` imports when it runs (not inside functions),
    and its package: what must have run before it."""
    import ast

    found = set()
    parent = name.rpartition(".")[0]
    if parent:
        found.add(parent)
    todo = list(ast.parse(source).body)
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        todo.extend(ast.iter_child_nodes(node))
    deps = set()
    for dep in found:  # importing a.b.c runs a and a.b first
        parts = dep.split(".")
        deps.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    return sorted(d for d in deps if d in known and d != name)


def run_order(roots, deps):
    """``roots`` and everything they need (``deps``: module -> what must run first), each after
    what it needs; ValueError on a cycle (then that group is not run at once)."""
    order, state = [], {}

    def visit(name):
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            raise ValueError("import cycle at " + name)
        state[name] = 1
        for dep in deps.get(name, ()):
            visit(dep)
        state[name] = 2
        order.append(name)

    for root in roots:
        visit(root)
    return order


def build(site, modules=HOT_MODULES):
    """The file's bytes for the package under ``site`` (the folder holding ``statusline``);
    None when a module's source is missing or changed while it was read."""
    import os

    table, codes, deps, at = [], [], {}, 0
    for name in modules:
        base = os.path.join(site, *name.split("."))
        is_pkg = os.path.isdir(base)
        origin = os.path.join(base, "__init__.py") if is_pkg else base + ".py"
        try:
            before = os.stat(origin)
            with open(origin, "rb") as f:
                source = f.read()
            after = os.stat(origin)
        except OSError:
            return None
        if (before.st_mtime_ns, before.st_size) != (after.st_mtime_ns, after.st_size):
            return None
        code = marshal.dumps(compile(source, origin, "exec", dont_inherit=True, optimize=2))
        deps[name] = top_imports(source, name, modules)
        table.append((name, is_pkg, origin, after.st_mtime_ns, after.st_size, at, len(code)))
        codes.append(code)
        at += len(code)
    groups, done = [], set()
    for flag, roots in EAGER:
        try:
            names = [n for n in run_order([r for r in roots if r in deps], deps) if n not in done]
        except ValueError:
            continue
        done.update(names)
        groups.append((flag, tuple(names)))
    # The head names where the code starts, so it is sized first: an int of 32 bits is marshalled
    # in 5 bytes whatever its value.
    boot_code, head, table_, groups_ = _boot_code(), tag(), tuple(table), tuple(groups)
    size = len(marshal.dumps((boot_code, table_, groups_, 0)))
    meta = marshal.dumps((boot_code, table_, groups_, len(head) + size))
    return head + meta + b"".join(codes) if len(meta) == size else None


def _boot_code():
    """``boot``'s code object, compiled from this file as the modules are (no docstrings)."""
    with open(__file__, "rb") as f:
        module = compile(f.read(), __file__, "exec", dont_inherit=True, optimize=2)
    return next(c for c in module.co_consts if getattr(c, "co_name", None) == "boot")


def own_file_source():
    """``own_file``'s source, for the launcher's text: the one check, written once."""
    import inspect

    return inspect.getsource(own_file).rstrip() + "\n"
