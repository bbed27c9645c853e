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

Stdlib only and light: the launcher imports this module (from its folder) on every start.
"""

import marshal
import sys

# The modules the line and the hook may import, lazily ones included; a test checks that this
# covers all of them. ``statusline`` and ``statusline.commands`` are imported before this file
# is read (they hold this module), so they are not listed.
HOT_MODULES = (
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
LIMIT = 4 << 20  # bytes: ours is about 150 KB


def tag():
    """The file's first line: which Python's bytecode it holds (marshal's format is per version)."""
    return ("claude-usage precompiled 1 %s\n" % sys.implementation.cache_tag).encode()


def build(site, modules=HOT_MODULES):
    """The file's bytes for the package under ``site`` (the folder holding ``statusline``);
    None when a module's source is missing or changed while it was read."""
    import os

    table, codes, at = [], [], 0
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
        table.append((name, is_pkg, origin, after.st_mtime_ns, after.st_size, at, len(code)))
        codes.append(code)
        at += len(code)
    head = marshal.dumps(tuple(table))
    return tag() + len(head).to_bytes(4, "little") + head + b"".join(codes)


def load(path):
    """{module name: (is package, source path, its code's marshal bytes)} from the file at
    ``path``, or None when it is missing, not ours, for another Python, or any module's source
    changed since. Each code object is unmarshalled only when its module is imported."""
    import posix

    try:
        fd = posix.open(path, posix.O_RDONLY | posix.O_NOFOLLOW | posix.O_CLOEXEC | posix.O_NONBLOCK)
    except OSError:
        return None
    try:
        st = posix.fstat(fd)
        if (st.st_mode & 0o170000 != 0o100000 or st.st_uid != posix.geteuid() or st.st_mode & 0o022
                or st.st_size > LIMIT):
            return None
        data = posix.read(fd, st.st_size)
    except OSError:
        return None
    finally:
        posix.close(fd)
    head = tag()
    start = len(head) + 4
    if not data.startswith(head) or len(data) < start:
        return None
    body = start + int.from_bytes(data[len(head):start], "little")
    data = memoryview(data)
    try:
        table = marshal.loads(data[start:body])
        modules = {}
        for name, is_pkg, origin, mtime_ns, length, at, size in table:
            st = posix.stat(origin)
            if st.st_mtime_ns != mtime_ns or st.st_size != length or body + at + size > len(data):
                return None  # an upgrade or an edit since, or a short file: not one module from here
            modules[name] = (is_pkg, origin, data[body + at:body + at + size])
        return modules
    except Exception:  # noqa: BLE001 - garbled in any way: the folders, as usual
        return None


class Finder:
    """A meta path finder and loader serving the modules of one precompiled file."""

    def __init__(self, modules):
        self.modules = modules

    def find_spec(self, name, path=None, target=None):
        entry = self.modules.get(name)
        if entry is None:
            return None
        from _frozen_importlib import ModuleSpec

        spec = ModuleSpec(name, self, origin=entry[1], is_package=entry[0])
        spec.has_location = True  # __file__ is the source's: tracebacks and paths stay as usual
        if entry[0]:  # a package's other modules are still found in its folder
            spec.submodule_search_locations = [entry[1].rpartition("/")[0]]
        return spec

    def create_module(self, spec):
        return None  # the usual module object

    def exec_module(self, module):
        exec(marshal.loads(self.modules[module.__spec__.name][2]), module.__dict__)


def install(path):
    """Serve the hot path from the precompiled file at ``path`` when it is current; whether it is."""
    modules = load(path)
    if modules is None:
        return False
    sys.meta_path.insert(0, Finder(modules))
    return True
