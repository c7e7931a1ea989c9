"""Call-site discovery, the engine's one caller search: every call of a function, a private
method or an NNX class's `__init__`, when all can be seen (complete runs, files that
failed, aliased and star imports, escapes as values, subclasses). The type evaluator
binds their arguments (`callers`); eager-sharding follows them to a mesh
(`calls_reaching`)."""

from __future__ import annotations

import ast

from nnx_migrate import flax_api
from nnx_migrate.bindings import DEF, IMPORT
from nnx_migrate.index import SourceFile, self_parameter
from nnx_migrate.infer.types import ClassT, InstanceT
from nnx_migrate.infer.names import _decorators_keep_calls
from nnx_migrate.infer.scopes import Scope
from nnx_migrate.infer.syntax import in_annotation

# Decorators that hand a function its callers' arguments as objects of the same types:
# jax.jit flattens each argument and rebuilds it from its pytree structure (a Module,
# Variable, State, GraphDef, list or dict arrives as one of the same class, its arrays as
# tracers; a Python scalar as a traced array, no Variable or Module either; static
# arguments as they are).
_ARGUMENT_TYPE_PRESERVING_DECORATORS = frozenset({"jax.jit"})


# the flax bases of an NNX class whose metaclass calls `__init__` with the call's own
# arguments (nnx.bridge.Module's pops `parent` and `name`)
_PLAIN_NNX_BASES = frozenset({"builtins.object", "object", *(f"{flax_api.NNX}.{name}" for name in ("Module", "Object", "Pytree"))})


def _builds_itself(cls: ast.ClassDef) -> bool:
    """The class body may construct an instance without naming the class: `cls(...)`,
    `type(self)(...)`, `self.__class__(...)`, or run `__init__` again (`super().__init__`
    runs a base's)."""
    for node in ast.walk(cls):
        if isinstance(node, ast.Name) and node.id == "cls" or isinstance(node, ast.Attribute) and (
            node.attr == "__class__" or node.attr in ("__init__", "__new__") and not _is_super_call(node.value)
        ):
            return True
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "type" \
                and len(node.args) == 1:
            return True
    return False


def _is_super_call(node: ast.expr) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "super"


def _super_init_calls(cls: ast.ClassDef) -> list[ast.Call] | None:
    """The `super().__init__(...)` calls in the class's own methods (not nested classes');
    None where `super().__init__` is used otherwise, or `super` is given arguments."""
    calls, todo = [], [cls]
    while todo:
        node = todo.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef):
                continue
            if isinstance(child, ast.Call) and isinstance(child.func, ast.Name) and child.func.id == "super" \
                    and (child.args or child.keywords):
                return None
            if isinstance(child, ast.Attribute) and child.attr == "__init__" and _is_super_call(child.value):
                if not (isinstance(node, ast.Call) and node.func is child):
                    return None
                calls.append(node)
            todo.append(child)
    return calls


def _plain_arguments(call: ast.Call) -> bool:
    """No `*args` / `**kwargs`: each argument can be matched to its parameter."""
    return not any(isinstance(a, ast.Starred) for a in call.args) and all(k.arg is not None for k in call.keywords)


def _bound_once_or_defs_of_a_session(outer: Scope, function: ast.AST, scope: Scope) -> bool:
    """The function's name is bound once, or, in a docstring's examples or a notebook
    (where examples and cells define a function again), only by defs: each call of the
    name calls one of them, so the calls of all are a superset of each one's callers."""
    bindings = outer.bindings.get(function.name, ())
    return len(bindings) == 1 or scope.file.session and all(b.kind == DEF for b in bindings)


class Callers:
    """A part of `Resolver` (infer/resolver.py): the question in this module's docstring."""

    def callers(self, function: ast.AST) -> list | None:
        """Every call of `function` in the project, as (call, scope), each with arguments
        that can be matched to its parameters; None when they cannot all be seen."""
        scope = self.function_scope(function)
        return self._callers_of(function, scope) if scope is not None else None

    def calls_reaching(self, function: ast.AST) -> list | None:
        """Every call that runs `function` (`*args` / `**kwargs` too), as (call, scope);
        None when they cannot all be seen."""
        scope = self.function_scope(function)
        return self._calls_of(function, scope) if scope is not None else None

    def _callers_of(self, function: ast.AST, scope: Scope) -> list | None:
        """`callers`: None also where a call unpacks `*args` / `**kwargs`."""
        calls = self._calls_of(function, scope)
        return calls if calls is not None and all(_plain_arguments(call) for call, _ in calls) else None

    def _calls_of(self, function: ast.AST, scope: Scope) -> list | None:
        """Every call of a def in the project, when all can be seen; else None. A method's
        callers are found by typing receivers, which may come back here: the memo tracks
        that, as for every evaluation."""
        outer = scope.parent
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)) or outer is None:
            return None
        if isinstance(outer.node, ast.ClassDef):
            if function.name == "__init__":
                return self._memoized(("constructor callers", id(function)), None,
                                      lambda: self._constructor_callers(function, scope))
            return self._memoized(("method callers", id(function)), None, lambda: self._method_callers(function, scope))
        return self._memoized(("callers", id(function)), None, lambda: self._function_callers(function, scope),
                              counted=False)

    def _function_callers(self, function: ast.AST, scope: Scope) -> list | None:
        """Every call of a module-level function, or of one defined inside another function,
        when every mention of its name is a call (directly, or through a flax transform)."""
        if not _decorators_keep_calls(function, scope.parent, self, flax_api.ARGUMENT_PRESERVING_TRANSFORMS,
                                      also=_ARGUMENT_TYPE_PRESERVING_DECORATORS):
            return None
        calls = []
        for use in self._function_uses(function, scope):
            found = None if use is None else self._calls_through(*use)
            if found is None:
                return None  # the function escapes, or may be reached another way: callers unseen
            calls.extend(found)
        return calls

    def _function_uses(self, function: ast.AST, scope: Scope):
        """Each mention of a def's name that may be the def, as (node, file, scope), when
        all can be seen: of a module-level function, across the project
        (`_module_function_uses`); of one defined inside another function, in that
        function. None, yielded in the place of a mention, says some may go unseen."""
        outer = scope.parent
        if outer.node is scope.file.tree:
            yield from self._module_function_uses(function, scope)
            return
        if not isinstance(outer.node, (ast.FunctionDef, ast.AsyncFunctionDef)) \
                or len(outer.bindings.get(function.name, ())) != 1:
            yield None
            return
        file = scope.file
        for node, other in self.name_uses(function.name):
            self.steps += 1
            if other is not file or not isinstance(node, ast.Name):
                continue
            use_scope = self.scope_of(node, file)
            if use_scope.find(node.id) is not outer:
                continue
            if isinstance(node.ctx, ast.Store):
                continue
            yield node, file, use_scope

    def _module_function_uses(self, function: ast.AST, scope: Scope):
        """`_function_uses` of a module-level function: whole folders were given (or it is a
        notebook's or a docstring's, which no file imports), and each mention anywhere that
        may be it is by its own name, not an alias, a star import or a computed name."""
        outer = scope.parent
        if not (self.index.complete or scope.file.session) or not _bound_once_or_defs_of_a_session(outer, function, scope):
            yield None
            return
        file = scope.file
        qualified = f"{file.module}.{function.name}" if file.module else function.name
        if self.index.failed_files_mentioning(function.name):
            yield None  # a file that could not be read may use it
            return
        for other, local in self._imported_as(qualified):
            if local != function.name:
                yield None  # imported under another name: uses elsewhere go unseen here
                return
        if self.module_namespace_reached(file) or self._fetched_by_getattr(function.name, file):
            yield None  # star-imported, or looked up by a name computed at run time: uses unseen
            return
        for node, other in self.name_uses(function.name):
            self.steps += 1
            if isinstance(node.ctx, ast.Store) or file.session and other is not file:
                continue  # a docstring's or notebook's names: no other file reaches them
            use_scope = self.scope_of(node, other)
            resolved = self.qualified(node, use_scope)
            if resolved != qualified:
                if isinstance(node, ast.Name) and (
                    resolved is not None or use_scope.find(node.id) not in (None, outer)
                ):
                    owner = use_scope.find(node.id)
                    if owner is not None and any(b.kind == IMPORT for b in owner.bindings[node.id]):
                        yield None  # imported inside a function: may be this one
                        return
                    continue  # another thing of the same name
                if isinstance(node, ast.Name) and use_scope.find(node.id) is None:
                    continue  # a builtin or an unbound name: not this function
                if not isinstance(node, ast.Name) and resolved is not None:
                    continue
                yield None  # may be this function, reached another way
                return
            yield node, other, use_scope

    def _method_callers(self, method: ast.FunctionDef, scope: Scope) -> list | None:
        """Every call of a private method (`_name`, not a dunder, no decorator) across the
        project, when whole folders were given and every mention of its name anywhere is a
        call on a receiver shown to be an instance of its class, a subclass that inherits
        it, or a base class (which may dispatch to it), or `super()`. Any other mention
        whose receiver may be such an instance (unknown type, a store, the class itself,
        its name in a string, as `getattr` would take it) leaves the callers unseen."""
        name, info = method.name, scope.cls
        if not (self.index.complete and info is not None and name.startswith("_") and not name.endswith("__")
                and not method.decorator_list and self_parameter(method) is not None
                and info.methods.get(name) is method and not self.index.failed_files_mentioning(name)
                and name not in self._string_constants() and not self._fetched_by_computed_name(info.qualname)):
            return None
        calls = []
        for node, file in self.name_uses(name):
            self.steps += 1
            use_scope = self.scope_of(node, file)
            if isinstance(node, ast.Name):
                if use_scope.find(name) is self.scope_of(method, info.file):
                    return None  # the bare function, in its class body
                continue
            call = file.parents.get(id(node))
            is_call = isinstance(call, ast.Call) and call.func is node
            receiver = node.value
            if isinstance(receiver, ast.Call) and isinstance(receiver.func, ast.Name) and receiver.func.id == "super":
                if not isinstance(node.ctx, ast.Load):
                    return None
                if is_call:
                    calls.append((call, use_scope))
                    continue
                return None
            found = self.type_of(receiver, use_scope)
            if not isinstance(found, InstanceT):
                if found is None or isinstance(found, ClassT):
                    return None  # may be an instance of this class, or the unbound method
                continue  # an array, a Variable, a State...: not this method
            mro = self.index.mro(found.cls)
            if info.qualname in mro:
                owner = next((c for c in mro if name in getattr(self.index.lookup_class(c), "methods", {})), None)
                if owner != info.qualname:
                    continue  # a subclass's override
            elif found.cls not in self.index.mro(info.qualname):
                continue  # an unrelated class's method of the same name
            if not (is_call and isinstance(node.ctx, ast.Load)):
                return None
            calls.append((call, use_scope))
        return calls

    def _constructor_callers(self, init: ast.FunctionDef, scope: Scope) -> list | None:
        """Every call that runs `init`, the `__init__` of an NNX class, when all can be seen:
        the constructions of the class and of each subclass that defines no `__init__` of
        its own before it, and the `super().__init__(...)` calls in the subclasses that do
        (a superset where a diamond puts another `__init__` between). Each class's name is
        reached as a def's would be (`_function_uses`: in the def that defines the class,
        or across a complete project), each mention a call, a base of a subclass, or an
        `isinstance` / `issubclass` / annotation use; and nothing runs it another way: no
        decorator, no `cls(...)`, `type(self)`, `__class__`, `C.__init__` or `super(...)`
        with arguments in these classes or their project bases, no base that is neither
        the project's nor flax's plain ones (a mixin's `__init__` may run it). flax's
        Module metaclass passes a call's arguments to `__init__` as they are (flax
        0.10.7-0.12.12); the bridge's pops `parent` and `name`, so only Module / Object /
        Pytree bases count."""
        info = scope.cls
        if info is None or init.decorator_list or info.methods.get("__init__") is not init \
                or not self.index.is_nnx_class(info.qualname):
            return None
        classes = [info, *(self.index.lookup_class(name) for name in self.subclasses(info.qualname))]
        if any(klass is None or klass.node.decorator_list or not self._built_only_by_calls(klass) for klass in classes):
            return None
        known = {id(klass) for klass in classes}
        calls = []
        for klass in classes:
            mro = self.index.mro(klass.qualname)
            ahead = mro[:mro.index(info.qualname)] if info.qualname in mro else mro
            before = [self.index.lookup_class(name) for name in ahead]
            defining = [other for other in before if other is not None and "__init__" in other.methods]
            if any(id(other) not in known for other in defining):
                return None  # a mixin's `__init__` runs first: its `super().__init__` may run this one
            if klass is not info and "__init__" in klass.methods:
                found = _super_init_calls(klass.node)
                if found is None:
                    return None
                calls.extend((call, self.scope_of(call, klass.file)) for call in found)
            if defining:
                continue  # its constructions run another `__init__` (whose `super()` call is counted)
            for use in self._function_uses(klass.node, scope.parent if klass is info else self.class_scope(klass)):
                if use is None:
                    return None
                node, file, use_scope = use
                if self._names_class_only(node, file, use_scope) or self._subclass_base(node, file, classes):
                    continue
                found = self._calls_through(node, file, use_scope)
                if found is None:
                    return None
                calls.extend(found)
        return calls

    def _built_only_by_calls(self, klass) -> bool:
        """Every base of `klass` is the project's (building nothing itself) or flax's
        Module / Object / Pytree."""
        # where flax's own sources are in the project, its Module's bases are classes of it
        plain = {base for name in _PLAIN_NNX_BASES for base in self.index.mro(name)} | _PLAIN_NNX_BASES
        for base in self.index.mro(klass.qualname):
            if base in plain:
                continue
            project = self.index.lookup_class(base)
            if project is None or flax_api.flax_name(base) is not None or base.startswith("flax.") \
                    or _builds_itself(project.node):
                return False
        return True

    def _subclass_base(self, node: ast.expr, file: SourceFile, classes: list) -> bool:
        """`node` is a base in the `class` statement of one of `classes` (its subclasses)."""
        parent = file.parents.get(id(node))
        return isinstance(parent, ast.ClassDef) and node in parent.bases \
            and any(klass.node is parent for klass in classes)

    def _names_class_only(self, node: ast.expr, file: SourceFile, scope: Scope) -> bool:
        """A mention of a class that builds nothing: `isinstance(x, C)`, `issubclass(...)`
        (also in a tuple of classes there), an annotation."""
        parent = file.parents.get(id(node))
        if isinstance(parent, ast.Tuple):
            parent = file.parents.get(id(parent))
        if isinstance(parent, ast.Call) and len(parent.args) == 2 and node is not parent.args[0] \
                and self.calls_builtin(parent, ("isinstance", "issubclass"), scope):
            return True
        return in_annotation(node, file)

    def _calls_through(self, node: ast.expr, file: SourceFile, scope: Scope) -> list | None:
        """The calls that reach the function named at `node`: `f(...)`, `nnx.jit(f)(...)`,
        or `g = nnx.value_and_grad(f)` then `g(...)` (g used only for calls). None when
        the function may be called some other way."""
        parent = file.parents.get(id(node))
        if isinstance(parent, ast.Call) and parent.func is node:
            return [(parent, scope)]
        if not (
            isinstance(parent, ast.Call) and parent.args and parent.args[0] is node
            and flax_api.flax_name(self.qualified(parent.func, scope) or "") in flax_api.ARGUMENT_PRESERVING_TRANSFORMS
        ):
            return None
        holder = file.parents.get(id(parent))
        if isinstance(holder, ast.Call) and holder.func is parent:
            return [(holder, scope)]
        if not (isinstance(holder, ast.Assign) and len(holder.targets) == 1 and isinstance(holder.targets[0], ast.Name)):
            return None
        name = holder.targets[0].id
        owner = scope.find(name)
        if owner is None or len(owner.bindings.get(name, ())) != 1 or owner.node is file.tree \
                and any(other is not file for _, other in self.name_uses(name)):
            return None
        calls = []
        for use, other in self.name_uses(name):
            self.steps += 1
            if other is not file or not (isinstance(use, ast.Name) and isinstance(use.ctx, ast.Load)):
                continue
            use_scope = self.scope_of(use, file)
            if use_scope.find(name) is not owner:
                continue
            call = file.parents.get(id(use))
            if not (isinstance(call, ast.Call) and call.func is use):
                return None
            calls.append((call, use_scope))
        return calls
