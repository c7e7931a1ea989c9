"""Project-wide facts, from one stdlib-`ast` pass over the candidate files.

Syntactic only: files, their module names and imports, classes with resolved base
names and the attribute bindings found in their methods. What those bindings *mean*
(is this a Variable?) is `resolve.py`'s job, so the index stays cheap to build.
"""

from __future__ import annotations

import ast
import functools
import operator
import re
from dataclasses import dataclass, field
from pathlib import Path

from nnx_migrate import flax_api


@dataclass(eq=False)
class SourceFile:
    path: Path
    module: str
    text: str
    tree: ast.Module
    is_package: bool = False
    # local name -> qualified name, from every import statement in the file
    imports: dict[str, str] = field(default_factory=dict)
    # the modules of its `from module import *` statements, in source order
    star_imports: list[str] = field(default_factory=list)
    # from the one walk over the tree: each node's parent, and the nodes of each type
    parents: dict[int, ast.AST] = field(default_factory=dict, repr=False)
    by_type: dict[type, list[ast.AST]] = field(default_factory=dict, repr=False)
    # flax.nnx names this file refers to (`nnx.BatchNorm`, `from flax.nnx import Linear`)
    flax_names_used: set[str] = field(default_factory=set, repr=False)
    _merged: dict[tuple[type, ...], list[ast.AST]] = field(default_factory=dict, repr=False)  # nodes(A, B)
    # docstrings holding doctest examples (doctests.Docstring), each indexed as a session file
    # of its own; a session file's `host` is the file whose docstring holds it
    docstrings: list = field(default_factory=list, repr=False)
    host: SourceFile | None = field(default=None, repr=False)
    scope_binders: dict[int, dict[str, list[ast.AST]]] = field(default_factory=dict, repr=False)  # `scope_binders`
    # the project's module names through namespace packages -> module names (`ProjectIndex.link_modules`)
    module_aliases: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def session(self) -> bool:
        """A notebook or a docstring's examples: no other file can import its names, so
        every use of them is in it, even when single files were given."""
        return self.path.suffix == ".ipynb" or self.host is not None

    def nodes(self, *types: type) -> list[ast.AST]:
        """The file's nodes of these types, in source order."""
        if len(types) == 1:
            return self.by_type.get(types[0], [])
        found = self._merged.get(types)
        if found is None:
            found = [node for kind in types for node in self.by_type.get(kind, [])]
            positioned = all(hasattr(self.by_type[kind][0], "lineno") for kind in types if kind in self.by_type)
            found.sort(key=_POSITION if positioned else lambda n: (getattr(n, "lineno", 0), getattr(n, "col_offset", 0)))
            self._merged[types] = found
        return found

    def qualify(self, dotted: str) -> str:
        """'nnx.Param' -> 'flax.nnx.Param' through this file's imports; local
        top-level classes and functions get this file's module prefix."""
        head, _, rest = dotted.partition(".")
        if head in self.imports:
            base = self.imports[head]
        elif head in self.top_level_names:
            base = f"{self.module}.{head}" if self.module else head
        else:
            return dotted
        qualified = f"{base}.{rest}" if rest else base
        return canonical_name(qualified, self.module_aliases) if self.module_aliases else qualified

    @property
    def words(self) -> frozenset[str]:
        """Every identifier-like word of the text (comments and strings included)."""
        found = getattr(self, "_words", None)
        if found is None:
            found = self._words = words_of(self.text)
        return found

    @property
    def top_level_names(self) -> set[str]:
        names = getattr(self, "_top_level_names", None)
        if names is None:
            names = {
                node.name
                for node in self.tree.body
                if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
            }
            self._top_level_names = names
        return names


@dataclass(eq=False)
class ClassInfo:
    qualname: str
    node: ast.ClassDef
    file: SourceFile
    bases: list[str]
    keywords: dict[str, ast.expr]
    # attribute name -> [(value or annotation node, enclosing function or None, is_annotation)]
    attribute_bindings: dict[str, list[tuple[ast.expr, ast.AST | None, bool]]] = field(
        default_factory=dict
    )
    methods: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = field(default_factory=dict)


_WORD = re.compile(r"\w+")


def words_of(text: str) -> frozenset[str]:
    """The identifier-like words of a text: to ask cheaply whether it mentions any of
    thousands of names (one alternation per name in a regex is far slower)."""
    return frozenset(_WORD.findall(text))


def dotted_name(node: ast.expr) -> str | None:
    """`a.b.c` -> 'a.b.c'; anything that is not a plain dotted name -> None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def canonical_name(qualified: str, aliases: dict[str, str]) -> str:
    """`qualified` with its longest module prefix that is an alias replaced by the module."""
    parts = qualified.split(".")
    for end in range(len(parts), 0, -1):
        prefix = ".".join(parts[:end])
        module = aliases.get(prefix)
        if module is not None:
            return module + qualified[len(prefix):]
    return qualified


_LIBRARY_ROOTS = frozenset({"flax", "jax", "jaxlib", "optax", "numpy"})
_NAMESPACE_LEVELS = 3  # folders without __init__.py above a module that may still be packages
_PROJECT_ROOT_MARKERS = (".git", "pyproject.toml", "setup.py", "setup.cfg")


@functools.lru_cache(maxsize=4096)
def _is_project_root(directory: Path) -> bool:
    return any((directory / marker).exists() for marker in _PROJECT_ROOT_MARKERS)


def namespace_names(path: Path, module: str, is_package: bool) -> list[str]:
    """The other names Python may import a module by: through the folders above its
    package that have no `__init__.py` (PEP 420 namespace packages; a folder of scripts
    run from the folder above), up to a project's root (a sys.path entry, not a package)."""
    parts = module.split(".") if module else []
    directory = path.resolve().parent
    for _ in range(len(parts) - (0 if is_package else 1)):
        directory = directory.parent
    names, prefix = [], []
    for _ in range(_NAMESPACE_LEVELS):
        if directory.parent == directory or not directory.name.isidentifier() or _is_project_root(directory):
            break
        prefix.insert(0, directory.name)
        names.append(".".join([*prefix, *parts]))
        directory = directory.parent
    return names


def module_name_for(path: Path) -> tuple[str, bool]:
    """Dotted module name from the package layout (`__init__.py` files upward)."""
    path = path.resolve()
    is_package = path.name == "__init__.py"
    parts = [] if is_package else [path.stem]
    directory = path.parent
    while (directory / "__init__.py").exists():
        parts.append(directory.name)
        if directory.parent == directory:
            break
        directory = directory.parent
    return ".".join(reversed(parts)), is_package


# `Load()`, `Add()`, ...: one shared instance each, with no position and no children
_SHARED_LEAVES = (ast.expr_context, ast.boolop, ast.operator, ast.unaryop, ast.cmpop)
_POSITION = operator.attrgetter("lineno", "col_offset")


def child_nodes(node: ast.AST) -> list[ast.AST]:
    """`list(ast.iter_child_nodes(node))`, about twice as fast (the analyses call it for
    most nodes of every file)."""
    children = []
    for field_name in node._fields:
        value = getattr(node, field_name, None)
        if type(value) is list:
            children.extend(child for child in value if isinstance(child, ast.AST))
        elif isinstance(value, ast.AST):
            children.append(value)
    return children


def _walk(index: ProjectIndex, file: SourceFile) -> None:
    """The one pass over a file's tree: parents, nodes by type, imports, classes and the
    attribute bindings of their methods, flax names used, foreign attribute stores."""
    parents, by_type = file.parents, file.by_type
    node_class, shared = ast.AST, _SHARED_LEAVES
    stack = [file.tree]
    push, pop = stack.append, stack.pop
    while stack:
        node = pop()
        same_type = by_type.get(type(node))
        if same_type is None:
            by_type[type(node)] = [node]
        else:
            same_type.append(node)
        for field_name in node._fields:  # ast.iter_child_nodes, inlined: this loop is the index's cost
            value = getattr(node, field_name, None)
            if type(value) is list:
                for child in value:
                    if isinstance(child, node_class) and not isinstance(child, shared):
                        parents[id(child)] = node
                        push(child)
            elif isinstance(value, node_class) and not isinstance(value, shared):
                parents[id(value)] = node
                push(value)
    for nodes in by_type.values():
        if hasattr(nodes[0], "lineno"):
            nodes.sort(key=_POSITION)
    _collect_imports(file)
    for node in file.nodes(ast.ClassDef):
        _collect_class(index, file, node)
    _collect_self_bindings(index, file)
    _collect_flax_names(index, file)
    for node in file.nodes(ast.Assign, ast.AnnAssign, ast.AugAssign):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        value = node if isinstance(node, ast.AugAssign) else node.value  # `x.a += y` keeps what x.a holds
        for target, stored in _target_values(targets, value):
            if isinstance(target, ast.Attribute) and not (
                isinstance(target.value, ast.Name) and target.value.id == "self"
            ):
                index.foreign_attribute_stores.setdefault(target.attr, []).append((stored, file, target.value))


def _target_values(targets: list[ast.expr], value: ast.AST | None) -> list[tuple[ast.expr, ast.AST | None]]:
    """(target, what is stored there) through unpacking: `m.a, m.b = m.b, m.a` stores `m.b` in
    `m.a`; where positions cannot be paired, None (not known)."""
    found = []
    for target in targets:
        if isinstance(target, ast.Starred):
            target = target.value
        if isinstance(target, (ast.Tuple, ast.List)):
            paired = isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(target.elts) and not any(
                isinstance(e, ast.Starred) for e in [*value.elts, *target.elts])
            for position, element in enumerate(target.elts):
                found += _target_values([element], value.elts[position] if paired else None)
        else:
            found.append((target, value))
    return found


def _collect_flax_names(index: ProjectIndex, file: SourceFile) -> None:
    """Every flax.nnx name a read in the file spells (`nnx`, `nnx.Linear`, `flax.nnx.Param`):
    each dotted chain whose head is imported (or, for a chain, a top-level name or `flax`)."""
    heads = set(file.imports)
    chain_heads = heads | file.top_level_names | {"flax"}
    parents = file.parents
    for node in file.nodes(ast.Name):
        if node.id not in chain_heads or isinstance(node.ctx, ast.Store):
            continue
        name = node.id
        if name in heads:
            _note_flax_name(index, file, name)
        while True:
            parent = parents.get(id(node))
            if not (isinstance(parent, ast.Attribute) and parent.value is node):
                break
            node, name = parent, f"{name}.{parent.attr}"
            if not isinstance(node.ctx, ast.Store):
                _note_flax_name(index, file, name)


def _note_flax_name(index: ProjectIndex, file: SourceFile, name: str) -> None:
    bare = flax_api.flax_name(file.qualify(name))
    if bare is not None:
        index.flax_names_used.add(bare)
        file.flax_names_used.add(bare)


def _collect_imports(file: SourceFile) -> None:
    package = file.module if file.is_package else file.module.rpartition(".")[0]
    seen: dict[str, str | None] = {}

    def bind(name: str, target: str) -> None:
        target = flax_api.canonical_module(target)  # `try: from flax import nnx` / `except: from flax.experimental import nnx`
        if seen.get(name, target) != target:
            seen[name] = None  # bound to two different things: trust neither
        else:
            seen[name] = target

    for node in file.nodes(ast.Import, ast.ImportFrom):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    bind(alias.asname, alias.name)
                else:
                    head = alias.name.split(".")[0]
                    bind(head, head)
        else:
            if node.level:
                base_parts = package.split(".") if package else []
                if node.level > 1:
                    base_parts = base_parts[: len(base_parts) - (node.level - 1)]
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            for alias in node.names:
                if alias.name == "*":
                    file.star_imports.append(base)
                    continue
                bind(alias.asname or alias.name, f"{base}.{alias.name}" if base else alias.name)
    file.imports = {name: target for name, target in seen.items() if target}


def _module_level_names(file: SourceFile) -> set[str]:
    """Every name the module's own statements bind (not its star imports): its scope's
    binders, and the names functions declare `global`."""
    names = {name for name in scope_binders(file, file.tree) if name != "*"}
    names.update(name for node in file.nodes(ast.Global) for name in node.names)
    return names


def _literal_all(file: SourceFile) -> frozenset[str] | None:
    """`__all__` when the module binds it once, at its top level, to a list or tuple of
    strings, and never changes it."""
    assigned = [node for node in file.tree.body if isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name) and node.targets[0].id == "__all__"]
    mentions = [node for node in file.nodes(ast.Name) if node.id == "__all__"]
    if len(assigned) != 1 or len(mentions) != 1 or not isinstance(assigned[0].value, (ast.List, ast.Tuple)):
        return None
    elements = assigned[0].value.elts
    if not all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in elements):
        return None
    return frozenset(e.value for e in elements)


def _qualified_class_name(file: SourceFile, node: ast.ClassDef) -> str:
    """`module.Outer.method.Inner`: the class's name with its enclosing defs."""
    parts = [node.name]
    parent = file.parents.get(id(node))
    while parent is not None and not isinstance(parent, ast.Module):
        if isinstance(parent, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            parts.append(parent.name)
        parent = file.parents.get(id(parent))
    if file.module:
        parts.append(file.module)
    return ".".join(reversed(parts))


_NESTED_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, ast.ListComp, ast.SetComp,
                  ast.GeneratorExp, ast.DictComp)


def scope_binders(file: SourceFile, scope: ast.AST) -> dict[str, list[ast.AST]]:
    """name -> the nodes that bind it in `scope` (a def or class body) itself, nested
    scopes left out: a def's parameters, defs, classes, stores, imports, `global`/`nonlocal`,
    `except ... as`, match captures. Made once per scope."""
    cache = file.scope_binders
    found = cache.get(id(scope))
    if found is not None:
        return found
    found = cache[id(scope)] = {}
    if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
        arguments = scope.args
        for arg in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs, arguments.vararg, arguments.kwarg]:
            if arg is not None:
                found.setdefault(arg.arg, []).append(arg)
    stack = list(reversed(child_nodes(scope)))
    while stack:
        node = stack.pop()
        names: list[str] = []
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names = [node.name]
            # decorators, defaults and bases are evaluated here; the body is a scope of its own
            outer = [*node.decorator_list, *(node.bases + [k.value for k in node.keywords]
                                             if isinstance(node, ast.ClassDef) else
                                             [*node.args.defaults, *(d for d in node.args.kw_defaults if d)])]
            stack.extend(reversed(outer))
        elif isinstance(node, _NESTED_SCOPES):
            continue  # a lambda's or comprehension's names are its own (walrus aside: counted unknown below)
        else:
            if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
                names = [node.id]
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [(alias.asname or alias.name).split(".")[0] for alias in node.names]
            elif isinstance(node, (ast.Global, ast.Nonlocal)):
                names = list(node.names)
            elif isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)) and node.name:
                names = [node.name]
            elif isinstance(node, ast.MatchMapping) and node.rest:
                names = [node.rest]
            stack.extend(reversed(child_nodes(node)))
        for name in names:
            found.setdefault(name, []).append(node)
    return found


def local_class(file: SourceFile, node: ast.AST, name: str) -> ast.ClassDef | None:
    """The class `name` read at `node` names by Python's scoping, where its scope is a
    def (or class body) whose only binding of `name` is one `class name: ...` statement;
    None when it is bound otherwise, more than once, or at module level."""
    parent = file.parents.get(id(node))
    first = True
    while parent is not None and not isinstance(parent, ast.Module):
        if isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)) \
                and (first or not isinstance(parent, ast.ClassDef)):
            if not isinstance(parent, ast.Lambda):
                binders = scope_binders(file, parent).get(name)
                if binders:
                    only = binders[0]
                    return only if len(binders) == 1 and isinstance(only, ast.ClassDef) else None
            first = False
        parent = file.parents.get(id(parent))
    return None


def _base_name(file: SourceFile, node: ast.ClassDef, base: ast.expr) -> str | None:
    """A base class's qualified name: through the file's imports and top-level names, or
    a class defined in an enclosing def (`class Sub(Block)` beside `class Block`). A
    subscripted generic (`nnx.Variable[A]`, `Generic[T]`) is its origin: its
    `__mro_entries__` puts the class itself among the bases."""
    if isinstance(base, ast.Subscript):
        base = base.value
    name = dotted_name(base)
    if name is None:
        return None
    head = name.split(".")[0]
    if head not in file.imports and head not in file.top_level_names:
        defined = local_class(file, node, head)
        if defined is not None and defined is not node:
            return _qualified_class_name(file, defined) + name[len(head):]
    return file.qualify(name)


def _collect_class(index: ProjectIndex, file: SourceFile, node: ast.ClassDef) -> None:
    bases = [name for name in (_base_name(file, node, b) for b in node.bases) if name is not None]
    info = ClassInfo(
        qualname=_qualified_class_name(file, node),
        node=node,
        file=file,
        bases=bases,
        keywords={k.arg: k.value for k in node.keywords if k.arg},
    )
    index.classes[info.qualname] = info
    index.classes_by_node[id(node)] = info
    for statement in node.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            info.methods[statement.name] = statement
        elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            info.attribute_bindings.setdefault(statement.target.id, []).append((statement.annotation, None, True))
            if statement.value is not None:
                info.attribute_bindings[statement.target.id].append((statement.value, None, False))
        elif isinstance(statement, ast.Assign):
            for target in statement.targets:
                if isinstance(target, ast.Name):
                    info.attribute_bindings.setdefault(target.id, []).append((statement.value, None, False))


def self_parameter(method: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
    """The name of a method's `self` parameter (None for static and class methods)."""
    decorators = {dotted_name(d) for d in method.decorator_list}
    if decorators & {"staticmethod", "classmethod"}:
        return None
    positional = [*method.args.posonlyargs, *method.args.args]
    return positional[0].arg if positional else None


def _enclosing_method(file: SourceFile, node: ast.AST):
    """The method (a def directly in a class body) whose body holds `node`, looking
    through nested functions, or None."""
    parent = file.parents.get(id(node))
    while parent is not None and not isinstance(parent, (ast.ClassDef, ast.Module)):
        if isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef)):
            owner = file.parents.get(id(parent))
            if isinstance(owner, ast.ClassDef) and parent in owner.body:
                return owner, parent
        parent = file.parents.get(id(parent))
    return None


def _collect_self_bindings(index: ProjectIndex, file: SourceFile) -> None:
    """`self.<attr> = value` in methods (For targets and unpacking: value unknown)."""
    classes = {id(info.node): info for info in index.file_classes(file)}
    self_names: dict[int, str | None] = {}
    for node in file.nodes(ast.Assign, ast.AnnAssign, ast.For):
        found = _enclosing_method(file, node)
        if found is None or id(found[0]) not in classes:
            continue
        info, method = classes[id(found[0])], found[1]
        if id(method) not in self_names:
            self_names[id(method)] = self_parameter(method)
        self_name = self_names[id(method)]
        if self_name is None:
            continue

        def bind(target: ast.expr, value: ast.expr | None, is_annotation: bool) -> None:
            if isinstance(target, (ast.Tuple, ast.List)):
                for element in target.elts:
                    bind(element, None, False)
            elif isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) \
                    and target.value.id == self_name:
                info.attribute_bindings.setdefault(target.attr, []).append(
                    (value if value is not None else ast.Constant(...), method, is_annotation)
                )

        if isinstance(node, ast.Assign):
            for target in node.targets:
                bind(target, node.value, False)
        elif isinstance(node, ast.AnnAssign):
            bind(node.target, node.annotation, True)
            if node.value is not None:
                bind(node.target, node.value, False)
        else:
            bind(node.target, None, False)


# names through which code stores attributes or module globals without naming them
_RUN_TIME_STORE_WORDS = frozenset({"setattr", "__setattr__", "__dict__", "vars", "globals", "modules", "exec",
                                   "import_module", "__import__", "__class__"})


class ProjectIndex:
    """Every candidate file and class of the project, by qualified name."""

    def __init__(self) -> None:
        self.files: dict[Path, SourceFile] = {}
        self.classes: dict[str, ClassInfo] = {}
        self.classes_by_node: dict[int, ClassInfo] = {}
        self._modules: set[str] = set()
        # attribute name -> every value stored to `<receiver>.<name>` outside `self`
        # (value, file, receiver); the value is None when not known, the statement for `x.a += y`
        self.foreign_attribute_stores: dict[str, list[tuple[ast.AST | None, SourceFile, ast.expr]]] = {}
        self._kind_cache: dict[tuple[str, str], bool] = {}
        self._mro_cache: dict[str, list[str]] = {}
        self._files_by_module: dict[str, list[SourceFile]] | None = None
        self._exports_table: dict[str, frozenset[str] | None] | None = None  # `_exports`
        self._linked = 0  # files when `link_modules` last ran
        # flax.nnx names the project refers to (`nnx.BatchNorm`, `from flax.nnx import Linear`)
        self.flax_names_used: set[str] = set()
        # files that could not be read or parsed: rules that need every caller check them
        self.unprocessed: dict[Path, bytes | None] = {}  # None: unreadable
        self._mentioning_words: dict[Path, frozenset[str] | None] = {}  # their words, for failed_files_mentioning
        self._mentioning: dict[str, list[Path]] = {}
        # True only when whole folders were given: otherwise (single files, stdin, libcst's
        # tool) callers elsewhere cannot be seen, and rules that need them only report
        self.complete = False
        # project-wide results that rules compute once (keyed by rule name)
        self.cache: dict[str, object] = {}

    def add_file(self, path: Path, text: str, tree: ast.Module) -> SourceFile:
        module, is_package = module_name_for(path)
        if path.suffix != ".py":
            module = f"{module}[{path.suffix[1:]}]"  # a notebook or page: never imported by name
        if module in self._modules:
            # two scripts named alike in different folders: keep their classes apart
            module = f"{module}[{len(self._modules)}]"
        self._modules.add(module)
        file = SourceFile(path=path, module=module, text=text, tree=tree, is_package=is_package)
        self._files_by_module = None
        self._exports_table = None
        _walk(self, file)
        self.files[path] = file
        return file

    def link_modules(self) -> None:
        """Once every file is in: imports of a module by a name through namespace packages
        (`from train.loop import build`, train/ without `__init__.py`) name the module as
        its file's qualified names do, so that classes, functions and callers match."""
        if self._linked == len(self.files):
            return
        self._linked = len(self.files)
        modules = {file.module for file in self.files.values()}
        aliases: dict[str, str | None] = {}
        for file in self.files.values():
            if file.path.suffix != ".py" or file.host is not None or file.module.endswith("]"):
                continue
            for name in namespace_names(file.path, file.module, file.is_package):
                if name.split(".")[0] in _LIBRARY_ROOTS:
                    continue  # a copy of flax's (or jax's) own sources: its names stay flax's
                aliases[name] = None if name in modules or aliases.get(name, file.module) != file.module else file.module
        linked = {name: module for name, module in aliases.items() if module is not None}
        if not linked:
            return
        for file in self.files.values():
            file.module_aliases = linked
            file.imports = {local: canonical_name(target, linked) for local, target in file.imports.items()}
            file.star_imports = [canonical_name(target, linked) for target in file.star_imports]
        for info in self.classes.values():
            info.bases = [canonical_name(base, linked) for base in info.bases]
        self._kind_cache.clear()
        self._mro_cache.clear()
        self._files_by_module = None
        self._exports_table = None

    def words_inference_must_see(self) -> set[str]:
        """Words that make a file that never says flax matter to type inference: an
        attribute some NNX class binds (flax's layers' included), which a store there may
        rebind (`m.scale = ...`), and the names of stores by run-time name and namespace
        writes the engine guards against (`setattr`, `vars`, `globals`, ...)."""
        words = set(_RUN_TIME_STORE_WORDS)
        for layer in flax_api.MODULE_ATTRIBUTES.values():
            words.update(layer)
        for info in self.classes.values():
            if self.is_nnx_class(info.qualname):
                words.update(info.attribute_bindings)
        return words

    def file_classes(self, file: SourceFile) -> list[ClassInfo]:
        """The classes `file` defines, in source order (not one a later class of the same
        qualified name hides)."""
        found = []
        for node in file.nodes(ast.ClassDef):
            info = self.classes_by_node.get(id(node))
            if info is not None and self.classes.get(info.qualname) is info:
                found.append(info)
        return found

    def class_of_node(self, node: ast.ClassDef) -> ClassInfo | None:
        return self.classes_by_node.get(id(node))

    def failed_files_mentioning(self, name: str) -> list[Path]:
        """The unprocessed files (and left-out code) that mention `name`, or cannot be read."""
        if len(self._mentioning_words) != len(self.unprocessed):  # entries are only ever added
            self._mentioning_words = {
                path: None if data is None else words_of(data.decode("utf-8", "replace"))
                for path, data in self.unprocessed.items()
            }
            self._mentioning.clear()
        found = self._mentioning.get(name)
        if found is None:
            found = self._mentioning[name] = [
                path for path, words in self._mentioning_words.items() if words is None or name in words]
        return found

    def lookup_class(self, qualname: str, _depth: int = 0) -> ClassInfo | None:
        """The project class named `qualname`, following re-exports (`from .m import C`)."""
        info = self.classes.get(qualname)
        if info is not None or _depth > 8:
            return info
        module, _, name = qualname.rpartition(".")
        if self._files_by_module is None:
            self._files_by_module = {}
            for file in self.files.values():
                self._files_by_module.setdefault(file.module, []).append(file)
        for file in self._files_by_module.get(module, ()):
            if name in file.imports:
                return self.lookup_class(file.imports[name], _depth + 1)
            source = self._star_source(file, name)
            if source is not None:
                return self.lookup_class(f"{source}.{name}", _depth + 1)
        return None

    def canonical_class(self, qualname: str) -> str:
        """The name the project defines the class `qualname` under (`pkg.Block` re-exported
        from `pkg.layers.Block`: the latter), so that every name of one class is one type;
        `qualname` itself for a class outside the project, or one of flax's public names
        (`flax.nnx.Optimizer`, also where flax's own sources are the project)."""
        if flax_api.flax_name(qualname) is not None:
            return qualname
        info = self.lookup_class(qualname)
        return info.qualname if info is not None else qualname

    def _star_source(self, file: SourceFile, name: str) -> str | None:
        """The module whose `name` the module of `file` holds when only its `from module
        import *` statements bind it there: the last one that exports it, as Python binds
        them in order. None where that cannot be shown (a star import from outside the
        project, or of a module whose exports cannot be listed)."""
        if not file.star_imports or name.startswith("_") or name in _module_level_names(file):
            return None
        source = None
        for module in file.star_imports:
            exported = self._exports(module)
            if exported is None:
                return None
            if name in exported:
                source = module
        return source

    def _exports(self, module: str) -> frozenset[str] | None:
        """The names `from module import *` binds, for a module of the project: its literal
        `__all__`, else its public module-level names and those its own star imports bind
        (the least solution, star imports in a cycle included); None where they cannot be
        listed (another `__all__`, a star import from outside the project)."""
        if self._exports_table is None:
            self._exports_table = self._list_exports()
        return self._exports_table.get(module)

    def _list_exports(self) -> dict[str, frozenset[str] | None]:
        table: dict[str, frozenset[str] | None] = {}
        pending: dict[str, tuple[frozenset[str], list[str]]] = {}
        for module, files in self._files_by_module.items():
            file = files[0]
            declared = _literal_all(file) if len(files) == 1 else None
            if declared is not None or len(files) != 1 or any(n.id == "__all__" for n in file.nodes(ast.Name)):
                table[module] = declared  # a literal `__all__`, or one that cannot be read
                continue
            own = frozenset(n for n in _module_level_names(file) if not n.startswith("_"))
            if file.star_imports:
                pending[module] = (own, file.star_imports)
            else:
                table[module] = own
        exports = {module: set(own) for module, (own, _) in pending.items()}
        unknown: set[str] = set()
        changed = True
        while changed:  # monotone: the sets and `unknown` only grow
            changed = False
            for module, (_, stars) in pending.items():
                if module in unknown:
                    continue
                for star in stars:
                    source = exports.get(star) if star in pending else table.get(star)
                    if source is None or star in unknown:
                        unknown.add(module)
                        changed = True
                        break
                    if not source <= exports[module]:
                        exports[module] |= source
                        changed = True
        table.update({module: None if module in unknown else frozenset(exports[module]) for module in pending})
        return table

    def _is_kind(self, qualname: str, kind: str, flax_names, seen: frozenset = frozenset()) -> bool:
        key = (qualname, kind)
        if key in self._kind_cache:
            return self._kind_cache[key]
        result = False
        bare = flax_api.flax_name(qualname)
        if bare is not None:
            result = bare in flax_names
        elif qualname not in seen:
            info = self.lookup_class(qualname)
            if info is not None:
                result = any(
                    self._is_kind(base, kind, flax_names, seen | {qualname}) for base in info.bases
                )
        self._kind_cache[key] = result
        return result

    def is_nnx_class(self, qualname: str) -> bool:
        """A flax.nnx Module / Pytree (Object in 0.10), directly or through its bases."""
        return self._is_kind(qualname, "module", flax_api.MODULE_ATTRIBUTES)

    def is_variable_class(self, qualname: str) -> bool:
        return self._is_kind(qualname, "variable", flax_api.VARIABLE_CLASSES)

    def mro(self, qualname: str) -> list[str]:
        """The method resolution order, by Python's C3 linearization. Bases outside the
        project end their branch; a hierarchy Python would reject (or a cycle) falls back
        to depth-first order, each class once."""
        cached = self._mro_cache.get(qualname)
        if cached is None:
            cached = self._linearize(qualname, frozenset()) or self._depth_first(qualname)
            self._mro_cache[qualname] = cached
        return list(cached)

    def _linearize(self, qualname: str, seen: frozenset) -> list[str] | None:
        if qualname in seen or len(seen) > 64:
            return None
        info = self.lookup_class(qualname)
        bases = info.bases if info is not None else []
        sequences = []
        for base in bases:
            linear = self._mro_cache.get(base) or self._linearize(base, seen | {qualname})
            if linear is None:
                return None
            sequences.append(list(linear))
        sequences.append(list(bases))
        order = [qualname]
        while any(sequences):
            sequences = [s for s in sequences if s]
            for sequence in sequences:
                head = sequence[0]
                if not any(head in other[1:] for other in sequences):
                    break
            else:
                return None  # no consistent order: Python raises TypeError here
            order.append(head)
            for sequence in sequences:
                if sequence[0] == head:
                    del sequence[0]
        return order

    def _depth_first(self, qualname: str) -> list[str]:
        order: list[str] = []
        stack = [qualname]
        while stack:
            name = stack.pop()
            if name in order:
                continue
            order.append(name)
            info = self.lookup_class(name)
            if info is not None:
                stack.extend(reversed(info.bases))
        return order
