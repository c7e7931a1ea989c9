"""The binder: scopes (function, lambda, comprehension, class body, module), their bindings,
and code flow per scope (flow.py). Which of a name's bindings reach a read, with what may
write a module's namespace from outside, is names.py's `reaching_bindings`."""

from __future__ import annotations

import ast

from nnx_migrate.bindings import (
    ANNOTATION, CLASS, CLS, DEF, EXPR, IMPORT, PARAM, RNGS_PARAMETER, SELF, UNKNOWN, WITH, Annotation, Bare, Binding,
    OfClass, Param,
)
from nnx_migrate.flow import BINDING_NODE_TYPES, BindingTable, FlowAnalysis, PURE_BUILTINS
from nnx_migrate.index import ClassInfo, SourceFile, dotted_name


SCOPE_NODES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, ast.ListComp, ast.SetComp,
                ast.GeneratorExp, ast.DictComp, ast.Module)


_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)


# a comprehension's generators bind in the comprehension's own scope (see `Scope`)
_BINDING_NODES = tuple(kind for kind in BINDING_NODE_TYPES if kind is not ast.comprehension)


class Scope:
    """A function, lambda, comprehension, class body or module: its name bindings."""

    def __init__(self, node: ast.AST, parent: Scope | None, file: SourceFile, table: BindingTable,
                 cls: ClassInfo | None = None, binding_nodes: list[ast.AST] = ()):
        self.node = node
        self.parent = parent
        self.file = file
        self.cls = cls  # the class whose method this is
        # name -> list of binding descriptors (tuples, see `flow.BindingTable`)
        self.bindings: dict[str, list[Binding]] = {}
        self.parameters: dict[str, frozenset] = {}
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            self._collect_parameters(node)
        elif isinstance(node, _COMPREHENSIONS):
            for generator in node.generators:
                binding_nodes = [*binding_nodes, generator]
        for binding_node in binding_nodes:
            for name, binding in table.of(binding_node):
                self._add(name, binding)

    def _collect_parameters(self, node) -> None:
        arguments = node.args
        positional = [*arguments.posonlyargs, *arguments.args]
        decorators = set()
        if not isinstance(node, ast.Lambda):
            decorators = {dotted_name(d) for d in node.decorator_list}
        for position, arg in enumerate([*positional, *arguments.kwonlyargs]):
            if position == 0 and self.cls is not None and arg in positional and "classmethod" in decorators:
                binding = OfClass(CLS, self.cls.qualname)
            elif position == 0 and self.cls is not None and arg in positional and "staticmethod" not in decorators:
                binding = OfClass(SELF, self.cls.qualname)
            elif getattr(arg, "annotation", None) is not None:
                binding = Annotation(ANNOTATION, arg.annotation)
            elif arg.arg == "rngs" and self.cls is not None:
                binding = OfClass(RNGS_PARAMETER, self.cls.qualname)
            else:
                binding = Param(PARAM, node, arg.arg)
            self._add(arg.arg, binding)
            self.parameters[arg.arg] = frozenset((binding,))
        for arg in (arguments.vararg, arguments.kwarg):
            if arg is not None:
                self._add(arg.arg, Bare(UNKNOWN))
                self.parameters[arg.arg] = frozenset((Bare(UNKNOWN),))

    def _add(self, name: str, binding: Binding) -> None:
        self.bindings.setdefault(name, []).append(binding)

    def find(self, name: str) -> Scope | None:
        """The scope that binds `name`, by Python's rules (class bodies are skipped)."""
        scope: Scope | None = self
        first = True
        while scope is not None:
            if name in scope.bindings and (first or not isinstance(scope.node, ast.ClassDef)):
                return scope
            first = False
            scope = scope.parent
        return None


def binds_an_import_or_none(binding: Binding) -> bool:
    """A module-level binding that leaves an imported name meaning what the import says
    wherever it is used: the import itself, a def or class, or `name = None` (the
    `except ImportError: nnx = None` of an optional dependency: `None.Param` cannot run)."""
    return binding.kind in (IMPORT, UNKNOWN, WITH, DEF, CLASS) or (
        binding.kind == EXPR and isinstance(binding.value, ast.Constant) and binding.value.value is None)


# Star imports of these bind no builtin's name.
_STAR_IMPORTS_WITHOUT_BUILTINS = ("flax", "jax", "numpy", "optax", "typing")


def _shadowing_bindings(file: SourceFile, module_level: bool) -> frozenset[str] | None:
    """Names that may shadow a builtin in `file` beyond what its scopes bind: none, or
    (`module_level`: a docstring's examples run in its module's namespace) every name the
    file binds; None when a star import may bind anything."""
    for node in file.nodes(ast.ImportFrom):
        if any(alias.name == "*" for alias in node.names) and (
                node.level or (node.module or "").split(".")[0] not in _STAR_IMPORTS_WITHOUT_BUILTINS):
            return None
    if not module_level:
        return frozenset()
    return frozenset(node.id for node in file.nodes(ast.Name) if isinstance(node.ctx, ast.Store)) \
        | frozenset(file.top_level_names) | frozenset(file.imports)


class Scopes:
    """A part of `Resolver` (infer/resolver.py): the question in this module's docstring."""

    def module_scope(self, file: SourceFile) -> Scope:
        return self.scope_for(file.tree, None, file)

    def scope_for(self, node: ast.AST, parent: Scope | None, file: SourceFile,
                  cls: ClassInfo | None = None) -> Scope:
        scope = self._scopes.get(id(node))
        if scope is None:
            scope = Scope(node, parent, file, self.bindings, cls, self._bindings_by_scope(file).get(id(node), ()))
            self._scopes[id(node)] = scope
        return scope

    def _bindings_by_scope(self, file: SourceFile) -> dict[int, list[ast.AST]]:
        """For every scope node of a file, the nodes that bind names directly in it (a
        walrus in a comprehension binds in the enclosing function, as in Python)."""
        found = self._file_bindings.get(id(file))
        if found is None:
            found = {}
            parents = file.parents
            for node in file.nodes(*_BINDING_NODES):
                owner = parents.get(id(node))
                while owner is not None and not isinstance(owner, SCOPE_NODES) or (
                    isinstance(node, ast.NamedExpr) and isinstance(owner, _COMPREHENSIONS)
                ):
                    owner = parents.get(id(owner))
                found.setdefault(id(owner) if owner is not None else id(file.tree), []).append(node)
            self._file_bindings[id(file)] = found
        return found

    def existing_scope(self, node: ast.AST) -> Scope | None:
        return self._scopes.get(id(node))

    def method_scope(self, info: ClassInfo, method: ast.AST) -> Scope:
        """The scope of a method, for typing the attribute bindings the index found."""
        return self.scope_for(method, self.class_scope(info), info.file, info)

    def class_scope(self, info: ClassInfo) -> Scope:
        """The scope of a class body, inside the scope its `class` statement runs in (a
        def's, for a class defined in a function: its methods see the def's names)."""
        return self.scope_for(info.node, self.scope_of(info.node, info.file), info.file)

    def scope_of(self, node: ast.AST, file: SourceFile) -> Scope:
        """The scope `node` is evaluated in (a def's own name and decorators included)."""
        self.scanned += 1  # asked for most nodes a scan looks at: counts scans that rescan
        ancestor = self._scope_node(node, file)
        if isinstance(ancestor, ast.Module):
            return self.module_scope(file)
        scope = self._scopes.get(id(ancestor))
        if scope is None:
            outer = self.scope_of(ancestor, file)
            cls = None
            if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)) \
                    and isinstance(outer.node, ast.ClassDef):
                cls = self.index.class_of_node(outer.node)
            scope = self.scope_for(ancestor, outer, file, cls)
        return scope

    def _scope_node(self, node: ast.AST, file: SourceFile) -> ast.AST:
        """The nearest ancestor of `node` that is a scope (the module's tree at the top),
        remembered for every node on the way up: rules ask this for most nodes of a file."""
        known, parents = self._scope_nodes, file.parents
        path = []
        while True:
            ancestor = known.get(id(node))
            if ancestor is not None:
                break
            path.append(id(node))
            ancestor = parents.get(id(node))
            if ancestor is None or isinstance(ancestor, SCOPE_NODES):
                ancestor = ancestor if ancestor is not None else file.tree
                break
            node = ancestor
        for key in path:
            known[key] = ancestor
        return ancestor

    def flow(self, scope: Scope) -> FlowAnalysis:
        found = self._flows.get(id(scope.node))
        if found is None:
            found = FlowAnalysis(scope.node, self.bindings, scope.parameters, self._untracked_names(scope),
                                 walrus=bool(scope.file.by_type.get(ast.NamedExpr)),
                                 shadowed=self.shadowed_builtins(scope))
            self.steps += found.steps
            self.scanned += found.scanned
            self._flows[id(scope.node)] = found
        return found

    def shadowed_builtins(self, scope: Scope) -> frozenset[str]:
        """The builtins narrowing and purity rely on (`isinstance`, `type`, `print`, ...)
        that may not be the builtins in `scope`: bound in it or a scope around it (a
        comprehension is a scope), in the module a docstring example runs in, or possibly
        by a star import."""
        file, host = scope.file, scope.file.host
        found = [self._table(("shadowing bindings", id(file)), lambda: _shadowing_bindings(file, False))]
        if host is not None:
            found.append(self._table(("shadowing bindings", id(host), "host"), lambda: _shadowing_bindings(host, True)))
        if None in found:
            return PURE_BUILTINS
        return frozenset(name for name in PURE_BUILTINS
                         if any(name in bound for bound in found) or scope.find(name) is not None)

    def calls_builtin(self, call: ast.AST, names: tuple[str, ...], scope: Scope) -> bool:
        """`call` is a call of one of the builtins `names` (each in PURE_BUILTINS), by a
        name nothing in `scope` may rebind."""
        return isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id in names \
            and call.func.id not in self.shadowed_builtins(scope)

    def _untracked_names(self, scope: Scope) -> frozenset[str]:
        """Names another scope may rebind behind this one's back (`global`/`nonlocal`
        in a nested or any function): their every binding counts."""
        file = scope.file
        found = self._untracked.get(id(file))
        if found is None:
            found = frozenset(name for node in file.nodes(ast.Global, ast.Nonlocal) for name in node.names)
            self._untracked[id(file)] = found
        return found

    def _names_checked_in(self, scope: Scope) -> frozenset[str] | set[str]:
        """Names an `isinstance(x, ...)` or `type(x)` call in the scope's own code checks:
        where a read of an enclosing scope's name may be narrowed by this scope's flow (a
        lambda's `x.value if isinstance(x, C) else x`, a comprehension's filter). Nothing for
        a generator or coroutine: it may pause between the check and the read, and the
        enclosing scope rebind the name meanwhile."""
        file = scope.file
        by_scope = self._checked_names.get(id(file))
        if by_scope is None:
            by_scope = self._checked_names[id(file)] = {}
            calls = file.nodes(ast.Call)
            self.scanned += len(calls)
            for call in calls:
                if isinstance(call.func, ast.Name) and call.func.id in ("isinstance", "type") and call.args \
                        and isinstance(call.args[0], ast.Name):
                    by_scope.setdefault(id(self._scope_node(call, file)), set()).add(call.args[0].id)
            for pause in file.nodes(ast.Yield, ast.YieldFrom, ast.Await):
                by_scope.pop(id(self._scope_node(pause, file)), None)
        return by_scope.get(id(scope.node), frozenset())

    def _declared_names(self, file: SourceFile) -> tuple[frozenset[str], frozenset[str]]:
        """Names declared `global`, and names declared `nonlocal`, somewhere in the file."""
        return self._table(("declared", id(file)), lambda: (
            frozenset(name for node in file.nodes(ast.Global) for name in node.names),
            frozenset(name for node in file.nodes(ast.Nonlocal) for name in node.names),
        ))

    def function_scope(self, function: ast.AST) -> Scope | None:
        file = self._file_of(function)
        if file is None:
            return None
        outer = self.scope_of(function, file)
        cls = self.index.class_of_node(outer.node) if isinstance(outer.node, ast.ClassDef) else None
        return self.scope_for(function, outer, file, cls)
