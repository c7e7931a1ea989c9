"""Function summaries (what a project function returns, computed once from its `return`s)
and parameter types (annotation, or what every caller passes)."""

from __future__ import annotations

import ast

from nnx_migrate import flax_api
from nnx_migrate.flow import scope_local_nodes
from nnx_migrate.bindings import ANNOTATION, PARAM
from nnx_migrate.infer.types import ANY_MODULE, FunctionT, InstanceT, is_state, join_or_unknown, RNGS, STATE, Type, VariableT
from nnx_migrate.infer.names import _decorators_keep_calls
from nnx_migrate.infer.syntax import _argument_for, _parameters
from nnx_migrate.infer.scopes import Scope


# Decorators whose function's results have the types its body returns: jax.jit rebuilds its
# outputs from their pytree structure, so a Module, Variable, State, list or dict comes back
# as one of the same class (new objects; arrays as arrays; a Python scalar as an array,
# which is no Variable or Module either). Not for callers' arguments: inside, they are traced.
_TYPE_PRESERVING_DECORATORS = frozenset({"jax.jit"})


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
        if isinstance(function, ast.Lambda):
            returned = [function.body]
        else:
            if function.returns is not None:
                return ("type", self.annotation_type(function.returns, scope.parent or scope))
            if isinstance(function, ast.AsyncFunctionDef) or not _decorators_keep_calls(
                    function, scope, self, also=_TYPE_PRESERVING_DECORATORS):
                return ("type", None)
            returned = []
            for node in scope_local_nodes(function.body):
                if isinstance(node, (ast.Yield, ast.YieldFrom)):
                    return ("type", None)
                if isinstance(node, ast.Return) and node.value is not None:
                    returned.append(node.value)
            if not returned:
                return ("type", None)
        forwarded = {self._forwarded_parameter(value, scope) for value in returned}
        if len(forwarded) == 1 and None not in forwarded:
            return ("param", forwarded.pop())
        return ("type", join_or_unknown([self.type_of(value, scope) for value in returned]))

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
        if not calls:
            return None
        # a module-level function (or a method, through a subclass) may also be called from
        # outside the scanned paths: of what its callers pass, only the kind carries over
        # (a Variable, some Module, a State, an Rngs): `[...]` and a Module's attributes
        # depend on the caller. Not a docstring's or notebook's function: no file imports it.
        method = scope.parent is not None and isinstance(scope.parent.node, ast.ClassDef)
        public = method or scope.parent is not None and scope.parent.node is scope.file.tree and not scope.file.session
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
        found = join_or_unknown(types)
        if not public:
            return found
        if isinstance(found, VariableT):
            return VariableT(found.cls, False)
        if isinstance(found, InstanceT) and self.index.is_nnx_class(found.cls):
            return ANY_MODULE
        return STATE if is_state(found) else RNGS if found == RNGS else None

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
