"""Project-wide facts, from one stdlib-`ast` pass over the candidate files.

Syntactic only: files, their module names and imports, classes with resolved base
names and the attribute bindings found in their methods. What those bindings *mean*
(is this a Variable?) is `resolve.py`'s job, so the index stays cheap to build.
"""

from __future__ import annotations

import ast
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
        return f"{base}.{rest}" if rest else base

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


def _collect_imports(file: SourceFile) -> None:
    package = file.module if file.is_package else file.module.rpartition(".")[0]
    seen: dict[str, str | None] = {}

    def bind(name: str, target: str) -> None:
        if seen.get(name, target) != target:
            seen[name] = None  # bound to two different things: trust neither
        else:
            seen[name] = target

    for node in ast.walk(file.tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    bind(alias.asname, alias.name)
                else:
                    head = alias.name.split(".")[0]
                    bind(head, head)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".") if package else []
                if node.level > 1:
                    base_parts = base_parts[: len(base_parts) - (node.level - 1)]
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            for alias in node.names:
                if alias.name == "*":
                    continue
                bind(alias.asname or alias.name, f"{base}.{alias.name}" if base else alias.name)
    file.imports = {name: target for name, target in seen.items() if target}


class _ClassCollector(ast.NodeVisitor):
    """Finds classes (also nested ones) and the `self.<attr> = ...` bindings in their methods."""

    def __init__(self, index: ProjectIndex, file: SourceFile):
        self.index = index
        self.file = file
        self.prefix: list[str] = [file.module] if file.module else []

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        qualname = ".".join([*self.prefix, node.name])
        bases = [
            self.file.qualify(name)
            for name in (dotted_name(b) for b in node.bases)
            if name is not None
        ]
        info = ClassInfo(
            qualname=qualname,
            node=node,
            file=self.file,
            bases=bases,
            keywords={k.arg: k.value for k in node.keywords if k.arg},
        )
        self.index.classes[qualname] = info
        for statement in node.body:
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
                info.methods[statement.name] = statement
                self._collect_self_bindings(info, statement)
            elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
                info.attribute_bindings.setdefault(statement.target.id, []).append(
                    (statement.annotation, None, True)
                )
                if statement.value is not None:
                    info.attribute_bindings[statement.target.id].append(
                        (statement.value, None, False)
                    )
            elif isinstance(statement, ast.Assign):
                for target in statement.targets:
                    if isinstance(target, ast.Name):
                        info.attribute_bindings.setdefault(target.id, []).append(
                            (statement.value, None, False)
                        )
        self.prefix.append(node.name)
        self.generic_visit(node)
        self.prefix.pop()

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.prefix.append(node.name)
        self.generic_visit(node)
        self.prefix.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    @staticmethod
    def _self_name(method: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
        decorators = {dotted_name(d) for d in method.decorator_list}
        if decorators & {"staticmethod", "classmethod"}:
            return None
        positional = [*method.args.posonlyargs, *method.args.args]
        return positional[0].arg if positional else None

    def _collect_self_bindings(self, info: ClassInfo, method) -> None:
        self_name = self._self_name(method)
        if self_name is None:
            return
        for node in ast.walk(method):
            targets: list[tuple[ast.expr, ast.expr | None, bool]] = []
            if isinstance(node, ast.Assign):
                targets = [(t, node.value, False) for t in node.targets]
            elif isinstance(node, ast.AnnAssign):
                targets = [(node.target, node.annotation, True)]
                if node.value is not None:
                    targets.append((node.target, node.value, False))
            elif isinstance(node, (ast.AugAssign, ast.For, ast.With)):
                # `self.x += ...` keeps x's kind; for/with targets on self are unknowable
                if isinstance(node, (ast.For,)):
                    targets = [(node.target, None, False)]
            for target, value, is_annotation in targets:
                self._bind_target(info, method, self_name, target, value, is_annotation)

    def _bind_target(self, info, method, self_name, target, value, is_annotation) -> None:
        if isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                # an element of an unpacked value: kind unknown
                self._bind_target(info, method, self_name, element, None, False)
            return
        if (
            isinstance(target, ast.Attribute)
            and isinstance(target.value, ast.Name)
            and target.value.id == self_name
        ):
            info.attribute_bindings.setdefault(target.attr, []).append(
                (value if value is not None else ast.Constant(...), method, is_annotation)
            )


class ProjectIndex:
    """Every candidate file and class of the project, by qualified name."""

    def __init__(self) -> None:
        self.files: dict[Path, SourceFile] = {}
        self.classes: dict[str, ClassInfo] = {}
        # attribute name -> every value stored to `<anything>.<name>` outside `self`
        self.foreign_attribute_stores: dict[str, list[tuple[ast.expr | None, SourceFile]]] = {}
        self._kind_cache: dict[tuple[str, str], bool] = {}
        # flax.nnx names the project refers to (`nnx.BatchNorm`, `from flax.nnx import Linear`)
        self.flax_names_used: set[str] = set()
        # files that could not be read or parsed: rules that need every caller check them
        self.unprocessed: dict[Path, bytes | None] = {}  # None: unreadable
        # False when only single files were given: callers elsewhere cannot be seen
        self.complete = True
        # project-wide results that rules compute once (keyed by rule name)
        self.cache: dict[str, object] = {}

    def add_file(self, path: Path, text: str, tree: ast.Module) -> SourceFile:
        module, is_package = module_name_for(path)
        file = SourceFile(path=path, module=module, text=text, tree=tree, is_package=is_package)
        _collect_imports(file)
        _ClassCollector(self, file).visit(tree)
        for node in ast.walk(tree):
            if isinstance(node, (ast.Attribute, ast.Name)) and not isinstance(
                getattr(node, "ctx", None), ast.Store
            ):
                name = dotted_name(node)
                if name is not None and ("." in name or name in file.imports):
                    bare = flax_api.flax_name(file.qualify(name))
                    if bare is not None:
                        self.flax_names_used.add(bare)
            if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                value = None if isinstance(node, ast.AugAssign) else node.value
                for target in targets:
                    if isinstance(target, ast.Attribute) and not (
                        isinstance(target.value, ast.Name) and target.value.id == "self"
                    ):
                        self.foreign_attribute_stores.setdefault(target.attr, []).append(
                            (value, file)
                        )
        self.files[path] = file
        return file

    def failed_files_mentioning(self, name: str) -> list[Path]:
        pattern = re.compile(rb"\b" + re.escape(name.encode()) + rb"\b")
        return [path for path, data in self.unprocessed.items() if data is None or pattern.search(data)]

    def lookup_class(self, qualname: str, _depth: int = 0) -> ClassInfo | None:
        """The project class named `qualname`, following re-exports (`from .m import C`)."""
        info = self.classes.get(qualname)
        if info is not None or _depth > 8:
            return info
        module, _, name = qualname.rpartition(".")
        for file in self.files.values():
            if file.module == module and name in file.imports:
                return self.lookup_class(file.imports[name], _depth + 1)
        return None

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
        """The class and its bases, depth first, each once."""
        order: list[str] = []
        stack = [qualname]
        while stack:
            name = stack.pop(0)
            if name in order:
                continue
            order.append(name)
            info = self.lookup_class(name)
            if info is not None:
                stack.extend(info.bases)
        return order
