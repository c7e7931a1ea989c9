"""Function summaries (what a project function returns, computed once from its `return`s)
and parameter types (annotation, or what every caller passes)."""

from __future__ import annotations

import ast

from nnx_migrate import flax_api
from nnx_migrate.flow import scope_local_nodes
from nnx_migrate.bindings import ANNOTATION, EXPR, PARAM, UNPACK
from nnx_migrate.index import dotted_name
from nnx_migrate.infer.types import (
    ANY_MODULE, ARRAY, ContainerT, FunctionT, InstanceT, is_state, join_or_unknown, NONE, RNG_STREAM, RNGS, STATE,
    TupleT, Type, VariableT,
)
from nnx_migrate.infer.names import _decorator_keeps_calls, _decorator_name
from nnx_migrate.infer.syntax import _argument_for, _parameters, returned_values
from nnx_migrate.infer.scopes import Scope


# Decorators whose function's results have the types its body returns: jax.jit rebuilds its
# outputs from their pytree structure, so a Module, Variable, State, list or dict comes back
# as one of the same class (new objects; arrays as arrays; a Python scalar as an array,
# which is no Variable or Module either). Not for callers' arguments: inside, they are traced.
_TYPE_PRESERVING_DECORATORS = frozenset({"jax.jit"})


def _decorators_rebuild(function: ast.AST, scope: Scope, resolver) -> bool | None:
    """Whether the decorators give back the body's results rebuilt (`nnx.vmap`, `nnx.pmap`,
    `nnx.scan`: see `flax_api.RESULT_REBUILDING_TRANSFORMS`; bare, called with keywords, or
    as `functools.partial(nnx.vmap, ...)`) or as they are (the transforms
    `_decorators_keep_calls` allows, `jax.jit`, `nnx.split_rngs(splits=...)`): True or
    False; None when some decorator may return anything else."""
    rebuilt = False
    for decorator in function.decorator_list:
        if dotted_name(decorator) in ("classmethod", "staticmethod"):
            continue  # the method's kind, handled by the caller
        if _decorator_keeps_calls(decorator, scope, resolver, also=_TYPE_PRESERVING_DECORATORS):
            continue
        transform = flax_api.flax_name(_decorator_name(decorator, scope, resolver) or "")
        called = False  # `nnx.split_rngs(splits=n)`, not `partial(nnx.split_rngs, ...)`
        if isinstance(decorator, ast.Call):
            if any(keyword.arg is None for keyword in decorator.keywords):
                return None  # `**options` may pass anything
            partial = resolver.qualified(decorator.func, scope) == "functools.partial"
            # `partial(nnx.vmap, in_axes=0)` and `nnx.vmap(in_axes=0)` decorate f; another
            # positional argument would be taken for the function transformed
            if len(decorator.args) != (1 if partial else 0):
                return None
            called = not partial
        if transform in flax_api.RESULT_REBUILDING_TRANSFORMS:
            rebuilt = True
        elif not (called and transform in flax_api.RESULT_KEEPING_DECORATOR_CALLS):
            return None
    return rebuilt


def _default_for(function: ast.AST, name: str) -> ast.expr | None:
    positional, keyword_only = _parameters(function)
    defaults = function.args.defaults
    offset = len(positional) - len(defaults)
    for position, parameter in enumerate(positional):
        if parameter.arg == name and position >= offset:
            return defaults[position - offset]
    for parameter, default in zip(keyword_only, function.args.kw_defaults):
        if parameter.arg == name:
            return default
    return None


class Summaries:
    """A part of `Resolver` (infer/resolver.py): the question in this module's docstring."""

    def summary(self, function: ast.AST) -> tuple:
        """What a call of `function` returns: ("param", name) when it returns one of its
        parameters unchanged, ("type", T) otherwise (T may be unknown)."""
        return self._memoized(("summary", id(function)), None, lambda: self._compute_summary(function),
                              unknown=("type", None))

    def _compute_summary(self, function: ast.AST) -> tuple:
        scope = self.function_scope(function)
        if scope is None:
            return ("type", None)
        rebuilt = False
        if isinstance(function, ast.Lambda):
            returned = [function.body]
        else:
            rebuilt = _decorators_rebuild(function, scope, self)
            if function.returns is not None:
                declared = self.annotation_type(function.returns, scope.parent or scope)
                return ("type", self._rebuilt(declared) if rebuilt else declared)
            if isinstance(function, ast.AsyncFunctionDef) or rebuilt is None:
                return ("type", None)
            returned = []
            for node in scope_local_nodes(function.body):
                if isinstance(node, (ast.Yield, ast.YieldFrom)):
                    return ("type", None)
                if isinstance(node, ast.Return) and node.value is not None:
                    returned.append(node.value)
            if not returned:
                return ("type", None)
        if rebuilt:
            # a returned parameter is rebuilt too (an int passed in comes back an array):
            # its type is what the callers pass, where they can all be seen
            return ("type", self._rebuilt(join_or_unknown([self.type_of(value, scope) for value in returned])))
        forwarded = {self._forwarded_parameter(value, scope) for value in returned}
        if len(forwarded) == 1 and None not in forwarded:
            return ("param", forwarded.pop())
        return ("type", join_or_unknown([self.type_of(value, scope) for value in returned]))

    def _rebuilt(self, found: Type) -> Type:
        """What `nnx.vmap` / `nnx.pmap` / `nnx.scan` give back where the function returns
        something of type `found` (`flax_api.RESULT_REBUILDING_TRANSFORMS`): graph nodes,
        arrays, None, and tuples, lists and dicts of them keep their types; anything else
        (a Python scalar becomes an array, a str raises, an object of another class) is unknown."""
        if found in (ARRAY, NONE, RNGS, RNG_STREAM) or is_state(found) or isinstance(found, VariableT):
            return found
        if isinstance(found, InstanceT):
            return found if self.index.is_nnx_class(found.cls) else None
        if isinstance(found, TupleT):
            return TupleT(tuple(self._rebuilt(element) for element in found.elements))
        if isinstance(found, ContainerT):
            element = self._rebuilt(found.element)
            return ContainerT(element, found.mapping) if element is not None else None
        return None

    def _forwarded_parameter(self, value: ast.expr, scope: Scope) -> str | None:
        """The parameter `value` is, unchanged (directly or through a call that returns
        its argument), or None."""
        if isinstance(value, ast.Name):
            found = self.reaching_bindings(value, scope)
            if found is None or found[0] is not scope or len(found[1]) != 1:
                return None
            binding = found[1][0]
            if binding.kind == PARAM and binding.function is scope.node:
                return binding.name
            # an annotated parameter is forwarded too: what flows through it wins over its annotation
            if binding.kind == ANNOTATION and scope.parameters.get(value.id) == frozenset((binding,)):
                return value.id
            return None
        if isinstance(value, ast.IfExp):
            body, orelse = self._forwarded_parameter(value.body, scope), self._forwarded_parameter(value.orelse, scope)
            return body if body is not None and body == orelse else None
        if isinstance(value, ast.Call) and value.args and not isinstance(value.args[0], ast.Starred):
            qualified = self.qualified(value.func, scope)
            if qualified in flax_api.STRUCTURE_PRESERVING_FUNCTIONS:
                return self._forwarded_parameter(value.args[0], scope)
            callee = self._callee(value.func, scope)
            if callee is not None:
                summary = self.summary(callee)
                if summary[0] == "param":
                    argument = _argument_for(callee, summary[1], value)
                    if argument is not None:
                        return self._forwarded_parameter(argument, scope)
        return None

    def _callee(self, func: ast.expr, scope: Scope) -> ast.AST | None:
        qualified = self.qualified(func, scope)
        if qualified is not None:
            return self._project_function(qualified)
        found = self.type_of(func, scope)
        return found.node if isinstance(found, FunctionT) else None

    def _call_result(self, function: ast.AST, call: ast.Call, scope: Scope) -> Type:
        summary = self.summary(function)
        if summary[0] == "type":
            return summary[1]
        argument = _argument_for(function, summary[1], call)
        if argument is not None:
            found = self.type_of(argument, scope)
            return found if found is not None else self._declared_parameter_type(function, summary[1])
        default = _default_for(function, summary[1])
        if default is not None:
            outer = self.function_scope(function)
            return self.type_of(default, outer.parent) if outer is not None and outer.parent else None
        return None

    def _declared_parameter_type(self, function: ast.AST, name: str) -> Type:
        """The annotation of `function`'s parameter `name`: what a forwarded argument is
        when nothing shows what the caller passed."""
        outer = self.function_scope(function)
        bindings = outer.parameters.get(name, frozenset()) if outer is not None else frozenset()
        for binding in bindings:
            if binding.kind == ANNOTATION:
                return self.annotation_type(binding.annotation, outer)
        return None

    def _parameter_type(self, function: ast.AST, name: str, scope: Scope) -> Type:
        """A parameter without annotation: the type every caller in the project passes,
        when every caller can be seen (a nested function used only by calls)."""
        if isinstance(function, ast.Lambda):
            return self._lambda_parameter_type(function, name, scope)
        calls = self._callers_of(function, scope)
        if calls == []:
            return None
        # a module-level function (or a method, through a subclass) may also be called from
        # outside the scanned paths: of what its callers pass, only the kind carries over
        # (a Variable, some Module, a State, an Rngs): `[...]` and a Module's attributes
        # depend on the caller. Not a docstring's or notebook's function, nor the `__init__`
        # of a class a def defines (its constructions are all in that def): nothing imports them.
        method = scope.parent is not None and isinstance(scope.parent.node, ast.ClassDef)
        definer = scope.parent.parent if method else scope.parent
        local_constructor = method and function.name == "__init__" and definer is not None and (
            isinstance(definer.node, (ast.FunctionDef, ast.AsyncFunctionDef)) or scope.file.session)
        public = method and not local_constructor \
            or not method and definer is not None and definer.node is scope.file.tree and not scope.file.session
        if calls is None:
            found = None if method else self._loop_carry_type(function, name, scope) \
                or self._branch_operand_type(function, name, scope)
            if found is None:
                return None
        else:
            found = self._callers_type(function, name, scope, calls, method)
        if not public:
            return found
        if isinstance(found, VariableT):
            return VariableT(found.cls, False)
        if isinstance(found, InstanceT) and self.index.is_nnx_class(found.cls):
            return ANY_MODULE
        return STATE if is_state(found) else RNGS if found == RNGS else None

    def _callers_type(self, function: ast.AST, name: str, scope: Scope, calls: list, method: bool) -> Type:
        """The type every one of `calls` passes for parameter `name` (its default where one
        passes nothing)."""
        types = []
        for call, call_scope in calls:
            argument = _argument_for(function, name, call, skip_self=method)
            if argument is None:
                default = _default_for(function, name)
                if default is None:
                    return None
                types.append(self.type_of(default, scope.parent) if scope.parent else None)
            else:
                types.append(self.type_of(argument, call_scope))
            if types[-1] is None:
                return None
        return join_or_unknown(types)

    def _loop_carry_type(self, function: ast.AST, name: str, scope: Scope) -> Type:
        """The carry parameter of a def handed to one `nnx.fori_loop(lower, upper, body,
        init)` or `nnx.while_loop(cond, body, init)` and used nowhere else (`_loop_use`):
        `init` rebuilt (`_rebuilt`: inside, arrays and Python scalars are traced), where the
        body's return is shown to give it back at each position (`_kept_carry`: later
        iterations get what the body returned)."""
        use = self._loop_use(function, scope)
        if use is None:
            return None
        loop, position, loop_scope = use
        if _parameters(function)[0][-1].arg != name:
            return None  # fori_loop's index
        body_position = flax_api.LOOPS[self._loop_kind(loop, loop_scope)][1]
        body = function
        if position != body_position:
            # while_loop's cond: called with what the body returns too
            body = self._callee(loop.args[body_position], loop_scope)
            found = self._loop_use(body, self.function_scope(body)) if body is not None else None
            if found is None or found[0] is not loop or found[1] != body_position:
                return None
        init = self._rebuilt(self.type_of(loop.args[-1], loop_scope))
        return self._kept_carry(body, init)

    def _branch_operand_type(self, function: ast.AST, name: str, scope: Scope) -> Type:
        """A parameter of a def whose one mention in the project is as a branch of
        `nnx.cond(pred, true_fun, false_fun, *operands)`, or in the tuple or list literal of
        branches of `nnx.switch(index, branches, *operands)`: that operand, rebuilt (flax
        merges the operands' graph nodes back before it calls the branch; 0.10.7-0.12.8),
        when the def, undecorated, takes exactly the operands, by position."""
        use = self._sole_argument_use(function, scope)
        if use is None:
            return None
        node, file, use_scope = use
        call = file.parents.get(id(node))
        branches = node
        if isinstance(call, (ast.Tuple, ast.List)) and isinstance(call.ctx, ast.Load):
            branches, call = call, file.parents.get(id(call))  # `nnx.switch(i, (f, g), x)`
        if not isinstance(call, ast.Call) or call.keywords or any(isinstance(a, ast.Starred) for a in call.args):
            return None
        kind = flax_api.flax_name(self.qualified(call.func, use_scope) or "")
        if kind == "cond" and branches is node and node in call.args[1:3]:
            operands = call.args[3:]
        elif kind == "switch" and branches is not node and len(call.args) > 1 and call.args[1] is branches \
                and not any(isinstance(e, ast.Starred) for e in branches.elts):
            operands = call.args[2:]
        else:
            return None
        positional = _parameters(function)[0]
        if len(operands) != len(positional):
            return None
        position = next(i for i, p in enumerate(positional) if p.arg == name)
        return self._rebuilt(self.type_of(operands[position], use_scope))

    def _sole_argument_use(self, function: ast.AST, scope: Scope) -> tuple | None:
        """(node, file, scope) of the one mention of an undecorated def that takes only plain
        positional parameters (no defaults, `*args`, keyword-only or `**kwargs`), when it is
        the only one there is and every mention can be seen."""
        if not isinstance(function, ast.FunctionDef) or function.decorator_list:
            return None
        arguments = function.args
        if arguments.vararg or arguments.kwarg or arguments.kwonlyargs or arguments.defaults:
            return None

        def compute():
            uses = []
            for use in self._function_uses(function, scope):
                if use is None or uses:
                    return None  # unseen mentions, or more than one
                uses.append(use)
            return uses[0] if uses else None

        # asked for each parameter, by the loop-carry and the cond-branch searches alike
        return self._memoized(("sole argument use", id(function)), None, compute, counted=False)

    def _loop_kind(self, loop: ast.Call, scope: Scope) -> str | None:
        kind = flax_api.flax_name(self.qualified(loop.func, scope) or "")
        return kind if kind in flax_api.LOOPS else None

    def _loop_use(self, function: ast.AST, scope: Scope | None) -> tuple | None:
        """(loop call, position, its scope) when the one mention of the def `function` in the
        project is as an argument of `nnx.fori_loop` / `nnx.while_loop` that the loop calls
        with the carry, the def undecorated, with exactly the parameters the loop passes."""
        if scope is None:
            return None

        def compute():
            use = self._sole_argument_use(function, scope)
            if use is None:
                return None
            node, file, use_scope = use
            loop = file.parents.get(id(node))
            kind = self._loop_kind(loop, use_scope) if isinstance(loop, ast.Call) else None
            if kind is None:
                return None
            count, _, called, keywords = flax_api.LOOPS[kind]
            if len(loop.args) != count or any(isinstance(a, ast.Starred) for a in loop.args) \
                    or any(k.arg is None or k.arg in keywords for k in loop.keywords):
                return None
            position = next((i for i, a in enumerate(loop.args) if a is node), None)
            expected = 2 if (kind, position) == ("fori_loop", 2) else 1
            if position not in called or len(_parameters(function)[0]) != expected:
                return None
            return loop, position, use_scope

        return self._memoized(("loop use", id(function)), None, compute, counted=False)

    def _kept_carry(self, body: ast.FunctionDef, init: Type) -> Type:
        """The carry's type over every iteration of a loop whose body is `body` and whose
        first carry is of type `init`: at each position, `init`'s where every return of
        the body gives back what it got there (the name it was unpacked to, unchanged) or
        something of that type; elsewhere unknown."""
        scope = self.function_scope(body)
        if scope is None or init is None:
            return None
        kept = [self._kept_at(value, (), init, body, scope) for value in returned_values(body) or ()]
        return kept[0] if kept and all(k == kept[0] for k in kept) else None

    def _kept_at(self, value: ast.expr, path: tuple, expected: Type, body: ast.FunctionDef, scope: Scope) -> Type:
        """What the body's returned `value` keeps of the carry at `path` (positions in nested
        tuples), whose type there is `expected`: `expected`, a tuple of what it keeps at
        each position, or unknown."""
        if expected is None:
            return None
        if isinstance(value, ast.Name):
            found = self.reaching_bindings(value, scope)
            if found is not None and found[0] is scope and len(found[1]) == 1:
                binding = found[1][0]
                if self._carry_path(binding, body, scope) == path:
                    return expected
                if binding.kind == EXPR and isinstance(binding.value, ast.Tuple):
                    value = binding.value  # `carry = (m, x)`, then `return carry`
        if isinstance(value, ast.Tuple) and isinstance(expected, TupleT):
            if len(value.elts) != len(expected.elements) or any(isinstance(e, ast.Starred) for e in value.elts):
                return None
            return TupleT(tuple(self._kept_at(element, (*path, position), item, body, scope)
                                for position, (element, item) in enumerate(zip(value.elts, expected.elements))))
        found = self.type_of(value, scope)
        return expected if found is not None and self._rebuilt(found) == expected else None

    def _carry_path(self, binding, body: ast.FunctionDef, scope: Scope) -> tuple | None:
        """The position in the carry a binding of the body holds unchanged: () for the carry
        parameter, (0,) for `m` of `m, x = carry`, (1, 0) for `w` of `m, (w,) = carry`;
        None for anything else."""
        path = ()
        while binding.kind == UNPACK:
            if binding.position < 0:
                return None  # counted from the end, after a starred target
            path = (binding.position, *path)
            binding = binding.whole
        if binding.kind == PARAM:
            carry = _parameters(body)[0][-1].arg
            return path if binding.function is body and binding.name == carry else None
        if binding.kind == EXPR and isinstance(binding.value, ast.Name):
            found = self.reaching_bindings(binding.value, scope)
            if found is None or found[0] is not scope or len(found[1]) != 1:
                return None
            inner = self._carry_path(found[1][0], body, scope)
            return None if inner is None else (*inner, *path)
        return None

    def _lambda_parameter_type(self, function: ast.Lambda, name: str, scope: Scope) -> Type:
        """`jax.tree.map(lambda v: ..., state, is_leaf=lambda x: isinstance(x, nnx.Variable))`:
        the leaves of an nnx.State stopped at Variables are Variables."""
        file = scope.file
        call = file.parents.get(id(function))
        positional = [*function.args.posonlyargs, *function.args.args]
        if not (
            isinstance(call, ast.Call) and len(call.args) == 2 and call.args[0] is function
            and len(positional) == 1 and positional[0].arg == name
        ):
            return None
        outer = scope.parent
        if outer is None or self.qualified(call.func, outer) not in flax_api.TREE_MAP_FUNCTIONS:
            return None
        return self._state_leaves(call.args[1], call, outer)
