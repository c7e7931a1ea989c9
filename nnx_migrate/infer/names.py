"""Qualified names: what a dotted expression names through the file's imports and aliases;
the bindings that reach a read (`reaching_bindings`: code flow, unless something may bind
the name from elsewhere); and who can write a module's namespace (`module.name = ...`
from elsewhere, `globals()`, `setattr(module, ...)`)."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from nnx_migrate import flax_api
from nnx_migrate.bindings import CLASS, IMPORT, UNKNOWN, Bare
from nnx_migrate.index import ClassInfo, SourceFile, dotted_name
from nnx_migrate.infer.scopes import binds_an_import_or_none, Scope

if TYPE_CHECKING:
    from nnx_migrate.infer.resolver import Resolver


# Called, they make a decorator that calls the function with the caller's arguments and
# returns its result: `@nnx.update_context(tag)` (`with self: return f(*args, **kwargs)`
# in flax 0.10.7, 0.11.2 and 0.12.8). Not bare: `nnx.update_context(f)` is a context manager.
_CALL_PRESERVING_DECORATOR_FACTORIES = frozenset({"update_context"})


def _decorators_keep_calls(function: ast.AST, scope: Scope, resolver: Resolver,
                           allowed: frozenset = flax_api.CALL_PRESERVING_TRANSFORMS,
                           also: frozenset = frozenset()) -> bool:
    """No decorators, or only flax transforms in `allowed` (by default those that call the
    function with the caller's arguments and return its result: `nnx.jit`, `nnx.remat`;
    also as `nnx.jit(...)` or `functools.partial(nnx.jit, ...)`), or other decorators
    named in `also` (qualified names)."""
    for decorator in function.decorator_list:
        if dotted_name(decorator) in ("classmethod", "staticmethod"):
            continue  # the method's kind, handled by the caller
        if not _decorator_keeps_calls(decorator, scope, resolver, allowed, also):
            return False
    return True


def _decorator_keeps_calls(decorator: ast.expr, scope: Scope, resolver: Resolver,
                           allowed: frozenset = flax_api.CALL_PRESERVING_TRANSFORMS,
                           also: frozenset = frozenset()) -> bool:
    """One decorator of those `_decorators_keep_calls` allows."""
    if isinstance(decorator, ast.Call) and \
            flax_api.flax_name(resolver.qualified(decorator.func, scope) or "") in _CALL_PRESERVING_DECORATOR_FACTORIES:
        return True
    qualified = _decorator_name(decorator, scope, resolver)
    return flax_api.flax_name(qualified or "") in allowed or qualified in also


def _decorator_name(decorator: ast.expr, scope: Scope, resolver: Resolver) -> str | None:
    """The qualified name of the function a decorator is or calls: `nnx.jit` for `@nnx.jit`,
    `@nnx.jit(...)` and `@functools.partial(nnx.jit, ...)`."""
    if isinstance(decorator, ast.Call):
        qualified = resolver.qualified(decorator.func, scope)
        if qualified == "functools.partial" and decorator.args:
            qualified = resolver.qualified(decorator.args[0], scope)
        return qualified
    return resolver.qualified(decorator, scope)


class Names:
    """A part of `Resolver` (infer/resolver.py): the question in this module's docstring."""

    def qualified(self, node: ast.expr, scope: Scope) -> str | None:
        """Qualified name of a dotted expression whose head is an import or a top-level
        class/function of the file (not shadowed by a local binding)."""
        name = dotted_name(node)
        if name is None:
            return None
        head = name.split(".")[0]
        if head not in scope.file.imports and head not in scope.file.top_level_names:
            if self._host_import(scope, head):
                return self.qualified(node, self.module_scope(scope.file.host))
            alias = self._module_aliases(scope.file).get(head)
            if alias is None or scope.find(head) is not self.module_scope(scope.file):
                return None  # the file's imports cannot qualify it
            target = self._memoized(("alias", id(alias)), alias, lambda: self.qualified(alias, self.module_scope(scope.file)))
            return None if target is None else target + name[len(head):]
        owner = scope.find(head)
        if owner is not None and not (
            owner.node is scope.file.tree and all(map(binds_an_import_or_none, owner.bindings[head]))
            # an import in a def (`from flax import nnx` in a test): the file's imports of
            # the name all name one thing, or it is not in them
            or head in scope.file.imports and all(b.kind == IMPORT for b in owner.bindings[head])
        ):
            return None
        qualified = scope.file.qualify(name)
        return flax_api.canonical(qualified) if qualified != name or head in scope.file.imports else None

    def may_qualify(self, node: ast.expr, file: SourceFile) -> bool:
        """Whether `qualified` can name `node` in some scope of `file`: a dotted name whose
        head the file imports, defines at top level or aliases (or, in a docstring's
        examples, the host module imports). Asked before the scope is worked out, which
        most names never need."""
        while isinstance(node, ast.Attribute):
            node = node.value
        return isinstance(node, ast.Name) and (
            node.id in file.imports or node.id in file.top_level_names or node.id in self._module_aliases(file)
            or file.host is not None and node.id in file.host.imports)

    def _host_import(self, scope: Scope, head: str) -> bool:
        """A docstring's examples run with their module's globals (doctest.testmod, pytest
        --doctest-modules): a name the session never binds, which the module imports, is
        that import (`@jax.jit` in an example of a module that imports jax). Only imports:
        a runner with globals of its own (Sphinx's doctest_global_setup) imports them too."""
        host = scope.file.host
        return host is not None and head in host.imports and scope.find(head) is None

    def _module_aliases(self, file: SourceFile) -> dict[str, ast.expr]:
        """`P = nnx.Param` at module level: names bound once, to a dotted name, that no
        `global` and no other module rebinds: they name what the dotted name names."""
        def compute() -> dict[str, ast.expr]:
            found = {}
            bindings = self.module_scope(file).bindings
            declared = self._declared_names(file)[0]
            for statement in file.tree.body:
                if isinstance(statement, ast.Assign) and len(statement.targets) == 1 \
                        and isinstance(statement.targets[0], ast.Name) \
                        and isinstance(statement.value, (ast.Name, ast.Attribute)) \
                        and dotted_name(statement.value) is not None:
                    alias = statement.targets[0].id
                    if len(bindings.get(alias, ())) == 1 and alias not in declared \
                            and not self._stored_from_outside(file, alias):
                        found[alias] = statement.value
            return found

        # met again while computed (stores from outside ask): no aliases there
        return self._memoized(("aliases", id(file)), None, compute, unknown={}, counted=False)

    def _stored_from_outside(self, file: SourceFile, name: str) -> bool:
        """Another file assigns `module.name = ...` to this file's module-level `name`."""
        return self._memoized(("stored", id(file), name), None, lambda: any(
            self.qualified(node.value, self.scope_of(node, other)) == file.module
            for node, other in self._attribute_stores(name)
        ), unknown=True, counted=False)

    def _module_used_as_object(self, file: SourceFile) -> bool:
        """The module's namespace is reached other than by `module.name`: the module object
        passed on or stored (`getattr(readers, name)`, `vars(readers)`, a registry),
        `readers.__dict__`, `importlib.import_module("readers")`, or `globals()` /
        `sys.modules` in the module itself."""
        return self._memoized(("module-as-object", id(file)), None, lambda: self._namespace_reached(file) or any(
            self._module_object_use(node, other, file)
            for name in {file.module.rpartition(".")[2]} | {local for _, local in self._imported_as(file.module)}
            for node, other in self.name_uses(name)
        ), unknown=True, counted=False)

    def _namespace_reached(self, file: SourceFile) -> bool:
        """`globals()`, `sys.modules` or `exec(...)` in the file, or `importlib.import_module("<it>")`."""
        if any(other is file and (isinstance(node, ast.Name) and node.id in ("globals", "exec")
                                  or dotted_name(node) == "sys.modules")
               for node, other in self.name_uses("globals") + self.name_uses("modules") + self.name_uses("exec")):
            return True
        for node, other in self.name_uses("import_module") + self.name_uses("__import__"):
            call = other.parents.get(id(node))
            if isinstance(call, ast.Call) and call.func is node and call.args \
                    and isinstance(call.args[0], ast.Constant) and call.args[0].value == file.module:
                return True
        return False

    def _module_object_use(self, node: ast.expr, other: SourceFile, file: SourceFile) -> bool:
        """`node` in `other` names the module of `file` as an object, not `module.name`."""
        if other is file or self.qualified(node, self.scope_of(node, other)) != file.module:
            return False
        parent = other.parents.get(id(node))
        return not (isinstance(parent, ast.Attribute) and parent.value is node and not parent.attr.startswith("__"))

    def _fetched_by_getattr(self, name: str, file: SourceFile) -> bool:
        """`getattr(x, "name")` where x may be the function's module."""
        for node, other in self.name_uses("getattr"):
            call = other.parents.get(id(node))
            if isinstance(call, ast.Call) and call.func is node and len(call.args) >= 2 \
                    and isinstance(call.args[1], ast.Constant) and call.args[1].value == name:
                owner = self.qualified(call.args[0], self.scope_of(call, other))
                if owner is None or owner == file.module:
                    return True
        return False

    def declared_elsewhere(self, scope: Scope, name: str) -> bool:
        """`name`, bound in `scope`, is declared `global` (a module's name) or `nonlocal` (a
        function's) somewhere in the file: another scope may rebind it."""
        declared = self._declared_names(scope.file)
        return name in (declared[0] if scope.node is scope.file.tree else declared[1])

    def module_namespace_reached(self, file: SourceFile) -> bool:
        """Other code may reach the module's names by a way no name use shows: the module
        used as an object (`getattr(module, name)`, `vars(module)`, `globals()`), or
        star-imported (`from module import *`)."""
        return self._module_used_as_object(file) or file.module.rpartition(".")[2] in self._star_imported_modules()

    def used_from_other_files(self, file: SourceFile, name: str) -> bool:
        """Another file may use the module-level `name` of `file`: one of its names resolves
        to it (`from file import name`, `module.name`), or the namespace is reached otherwise
        (`module_namespace_reached`)."""
        qualified = f"{file.module}.{name}"
        return any(other is not file and self.qualified(use, self.scope_of(use, other)) == qualified
                   for use, other in self.name_uses(name)) or self.module_namespace_reached(file)

    def reaching_bindings(self, node: ast.Name, scope: Scope) -> tuple[Scope, list[tuple]] | None:
        """The scope that binds the name read at `node`, and the bindings of it that may
        reach there (every binding when code flow cannot tell)."""
        owner = scope.find(node.id)
        if owner is None:
            return None
        if self.declared_elsewhere(owner, node.id) or (
            owner.node is owner.file.tree and (
                self._stored_from_outside(owner.file, node.id) or self._module_used_as_object(owner.file))
        ):
            # `global` / `nonlocal` somewhere, `module.name = ...` from elsewhere, or the
            # module's namespace written by names (globals().update(d), setattr(module, k, v)):
            # another scope may bind it to anything
            return owner, [*owner.bindings[node.id], Bare(UNKNOWN)]
        inner = scope
        while inner is not owner:
            # a name of an enclosing scope, checked here (`lambda: x.value if isinstance(x, C)
            # else x`, a comprehension's filter): that scope's flow has the narrowing
            if node.id in self._names_checked_in(inner):
                narrowed = self.flow(inner).reaching.get(id(node))
                if narrowed is not None:
                    return owner, list(narrowed)
            inner = inner.parent
        reaching = self.flow(owner).reaching.get(id(node))
        if reaching is None:
            return owner, owner.bindings[node.id]
        return owner, list(reaching)

    def classes_named(self, node: ast.expr, scope: Scope) -> tuple[list[ClassInfo], bool]:
        """The project classes a reference may name, and whether it may name something else
        too: through imports and top-level names, or for a name of a class statement in a
        def, through the bindings that reach it."""
        qualified = self.qualified(node, scope)
        if qualified is not None:
            info = self.index.lookup_class(qualified)
            return ([info], False) if info is not None else ([], True)
        if not isinstance(node, ast.Name):
            return [], True
        found = self.reaching_bindings(node, scope)
        if found is None:
            return [], True
        classes = list(dict.fromkeys(self.index.class_of_node(b.node) for b in found[1] if b.kind == CLASS))
        other = any(b.kind != CLASS for b in found[1]) or any(
            info is None or self.index.classes.get(info.qualname) is not info for info in classes)
        return [info for info in classes if info is not None], other
