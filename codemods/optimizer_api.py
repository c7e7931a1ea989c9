'''# optimizer-api

## What it does
Moves `nnx.Optimizer` code to the API of flax 0.11:

| old | new |
|---|---|
| `nnx.Optimizer(model, tx)` | `nnx.Optimizer(model, tx, wrt=nnx.Param)` |
| `optimizer.update(grads)` | `optimizer.update(model, grads)` |
| `optimizer.model` | `model` |

The model is the one the Optimizer was built with: `optimizer = nnx.Optimizer(model, tx)`
in the same function, `self.optimizer = nnx.Optimizer(self.model, tx)` in the same class,
or, for an `optimizer` parameter of a function such as `train_step(model, optimizer,
batch)`, the parameter that every caller in the project fills with the Optimizer's model.
Where the model cannot be shown, the call is reported with what to write.

## Why
Flax 0.11.0 made `wrt` a required keyword (0.10 defaulted to `nnx.Param`), made
`update` take the model explicitly and removed `Optimizer.model`: the old forms raise
TypeError and AttributeError.

## Example
```python
import jax.numpy as jnp
import optax
from flax import nnx

model = nnx.Linear(2, 1, rngs=nnx.Rngs(0))
optimizer = nnx.Optimizer(model, optax.sgd(0.1))
x, y = jnp.ones((4, 2)), jnp.ones((4, 1))


def loss_fn(model, x, y):
    return ((model(x) - y) ** 2).mean()


@nnx.jit
def train_step(model, optimizer, x, y):
    grads = nnx.grad(loss_fn)(model, x, y)
    optimizer.update(grads)


train_step(model, optimizer, x, y)
```

## Use instead
```python
import jax.numpy as jnp
import optax
from flax import nnx

model = nnx.Linear(2, 1, rngs=nnx.Rngs(0))
optimizer = nnx.Optimizer(model, optax.sgd(0.1), wrt=nnx.Param)
x, y = jnp.ones((4, 2)), jnp.ones((4, 1))


def loss_fn(model, x, y):
    return ((model(x) - y) ** 2).mean()


@nnx.jit
def train_step(model, optimizer, x, y):
    grads = nnx.grad(loss_fn)(model, x, y)
    optimizer.update(model, grads)


train_step(model, optimizer, x, y)
```

## When the fix is unsafe
Never: `wrt=nnx.Param` is what 0.10 used by default, and the model passed is the one the
Optimizer holds. `nnx.ModelAndOptimizer` (0.11+), which keeps the old calls, is left
alone and not reported, also where a function's `optimizer` parameter is filled with one
by every caller. Below `--target-version 0.11` only `wrt=` is added (it is accepted since 0.10).
'''

from __future__ import annotations

import ast

import libcst as cst

from nnx_migrate import flax_api
from nnx_migrate.command import RuleCommand
from nnx_migrate.index import dotted_name
from nnx_migrate.resolve import InstanceT, Scope
from nnx_migrate.rule import Diagnostic, FileContext, Rule, Site, version_at_least

NAME = "optimizer-api"
NEEDED_FROM = "0.11.0"
URL = "https://flax.readthedocs.io/en/latest/migrating/nnx_010_to_nnx_011.html"
OPTIMIZER = f"{flax_api.NNX}.Optimizer"
MODEL_AND_OPTIMIZER = f"{flax_api.NNX}.ModelAndOptimizer"
# `why` of a receiver shown to be an nnx.ModelAndOptimizer: its `update(grads)` and `.model` are right as they are
KEEPS_OLD_CALLS = "a ModelAndOptimizer"


def _add_wrt(alias: str):
    def fix(node: cst.Call) -> cst.Call:
        args = list(node.args)
        if args and not isinstance(args[-1].comma, cst.Comma):
            args[-1] = args[-1].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        args.append(cst.Arg(
            keyword=cst.Name("wrt"), value=cst.parse_expression(f"{alias}.Param"),
            equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")),
        ))
        return node.with_changes(args=args)
    return fix


def _prepend_model(model: str):
    def fix(node: cst.Call) -> cst.Call:
        first = cst.Arg(cst.parse_expression(model), comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        return node.with_changes(args=[first, *node.args])
    return fix


def _replace_with(model: str):
    def fix(node: cst.Attribute) -> cst.BaseExpression:
        return cst.parse_expression(model).with_changes(lpar=node.lpar, rpar=node.rpar)
    return fix


class OptimizerApi(Rule):
    name = NAME
    summary = "`nnx.Optimizer(model, tx)` gains `wrt=nnx.Param`; `update(grads)` -> `update(model, grads)`; `optimizer.model`"
    needed_from = NEEDED_FROM
    safety = "safe"
    documentation = __doc__

    def analyze(self, context: FileContext) -> tuple[list[Site], list[Diagnostic]]:
        sites: list[Site] = []
        diagnostics: list[Diagnostic] = []
        self.context = context
        new_api = version_at_least(context, NEEDED_FROM)
        untyped_updates: list[ast.Attribute] = []  # `opt.update(g)` on receivers of unknown type
        for visit in context.visits(ast.Call, ast.Attribute):
            node = visit.node
            if isinstance(node, ast.Call) and self._is_optimizer_class(visit.qualified(node.func)):
                if not any(k.arg == "wrt" or k.arg is None for k in node.keywords) and len(node.args) <= 2:
                    alias = context.nnx_alias()
                    if alias is not None:
                        sites.append(context.site(NAME, node, "Call", _add_wrt(alias), "`nnx.Optimizer(...)` gains `wrt=nnx.Param`"))
                continue
            if not new_api or not isinstance(node, ast.Attribute) or node.attr not in ("update", "model"):
                continue
            parent = visit.parent
            if node.attr == "update":
                if not (isinstance(parent, ast.Call) and parent.func is node and len(parent.args) == 1 and not parent.keywords):
                    continue
            elif not isinstance(node.ctx, ast.Load):
                continue
            if self._is_model_and_optimizer(node.value, visit.scope):
                continue
            if self._is_optimizer(node.value, visit.scope):
                model, why = self._model_of(node.value, visit.scope)
            elif node.attr == "update" and self._looks_like_optimizer(node.value) \
                    and not self._overrides_update(node.value, visit.scope):
                # an untyped parameter is an Optimizer if every caller passes one
                model, why = self._model_of(node.value, visit.scope)
                if model is None and why != KEEPS_OLD_CALLS:
                    untyped_updates.append(node)
                    continue
            else:
                continue
            if why == KEEPS_OLD_CALLS:
                continue
            if model is None:
                what = "`optimizer.update(grads)`" if node.attr == "update" else "`optimizer.model`"
                diagnostics.append(context.diagnostic(
                    NAME, node, f"{what} changed in flax 0.11, and the Optimizer's model cannot be determined: {why}",
                    "write `optimizer.update(model, grads)` with the model the Optimizer was built with"
                    if node.attr == "update" else "use the model the Optimizer was built with", URL))
            elif node.attr == "update":
                sites.append(context.site(NAME, parent, "Call", _prepend_model(model), f"`optimizer.update(grads)` -> `optimizer.update({model}, grads)`"))
            else:
                sites.append(context.site(NAME, node, "Attribute", _replace_with(model), f"`optimizer.model` -> `{model}`"))
        if new_api and "Optimizer" in context.file.text:
            for node in untyped_updates:
                diagnostics.append(context.diagnostic(
                    NAME, node, "if this is an `nnx.Optimizer`, `update(grads)` raises TypeError from flax 0.11",
                    "write `optimizer.update(model, grads)`; annotate the parameter (`optimizer: nnx.Optimizer`) "
                    "so nnx-migrate can check it", URL))
        return sites, diagnostics

    # -- what is an optimizer -----------------------------------------------------------
    def _is_optimizer_class(self, qualified: str | None) -> bool:
        """flax's Optimizer, or a subclass that keeps its constructor."""
        return qualified is not None and OPTIMIZER in self.context.index.mro(qualified) \
            and not self.context.resolver.may_define_before_flax(qualified, {"__init__"}, exactly=True)

    def _is_model_and_optimizer(self, node: ast.expr, scope: Scope) -> bool:
        """flax's ModelAndOptimizer (or a subclass): `update(grads)` and `.model` are its API."""
        found = self.context.resolver.type_of(node, scope)
        return isinstance(found, InstanceT) and MODEL_AND_OPTIMIZER in self.context.index.mro(found.cls)

    def _is_optimizer(self, node: ast.expr, scope: Scope) -> bool:
        """flax's Optimizer, or a subclass that keeps its `update` and `model`."""
        found = self.context.resolver.type_of(node, scope)
        return isinstance(found, InstanceT) and OPTIMIZER in self.context.index.mro(found.cls) \
            and not self._replaced(found.cls)

    def _replaced(self, cls: str) -> bool:
        """`update` / `model` of the class are not flax's: overridden in a project class, or
        `update` replaced on an instance (`opt.update = f`; `x.model = m` is too common on
        other objects to count)."""
        resolver = self.context.resolver
        return resolver.replaces_member(cls, "update") or resolver.may_define_before_flax(cls, {"model"})

    def _overrides_update(self, node: ast.expr, scope: Scope) -> bool:
        """A project class (an Optimizer subclass) with its own `update` / `model`, or an
        instance whose `update` / `model` is replaced."""
        found = self.context.resolver.type_of(node, scope)
        if isinstance(found, InstanceT) and self._replaced(found.cls):
            return True
        if isinstance(node, ast.Name):
            found = self.context.resolver.reaching_bindings(node, scope)
            for binding in found[1] if found else ():
                if binding[0] == "expr" and isinstance(binding[1], ast.Call):
                    qualified = self.context.resolver.qualified(binding[1].func, found[0])
                    if qualified and self._replaced(qualified):
                        return True
        return False

    @staticmethod
    def _looks_like_optimizer(node: ast.expr) -> bool:
        name = dotted_name(node)
        return name is not None and "opt" in name.rsplit(".", 1)[-1].lower()

    # -- which model --------------------------------------------------------------------
    def _model_of(self, receiver: ast.expr, scope: Scope, depth: int = 0) -> tuple[str | None, str]:
        """The expression, valid at `scope`, for the model the optimizer was built with."""
        if depth > 3:
            return None, "too many levels of calls"
        if isinstance(receiver, ast.Attribute) and isinstance(receiver.value, ast.Name):
            return self._model_of_attribute(receiver, scope)
        if not isinstance(receiver, ast.Name):
            return None, "the optimizer is not a plain name or attribute"
        owner = scope.find(receiver.id)
        if owner is None:
            return None, f"`{receiver.id}` is not bound here"
        bindings = owner.bindings[receiver.id]
        if len(bindings) != 1:
            return None, f"`{receiver.id}` is bound more than once"
        binding = bindings[0]
        if binding[0] == "expr" and isinstance(binding[1], ast.Call) and \
                MODEL_AND_OPTIMIZER in self.context.index.mro(self.context.resolver.qualified(binding[1].func, owner) or ""):
            return None, KEEPS_OLD_CALLS
        if binding[0] == "expr" and isinstance(binding[1], ast.Call) \
                and self._is_optimizer_class(self.context.resolver.qualified(binding[1].func, owner)):
            model = _model_argument(binding[1])
            if isinstance(model, ast.Name) and scope.find(model.id) is owner.find(model.id) \
                    and scope.find(model.id) is not None and len(scope.find(model.id).bindings[model.id]) == 1:
                return model.id, ""
            return None, "the Optimizer was built from an expression that is not a plain name in scope"
        if binding[0] in ("annotation", "param") and isinstance(owner.node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return self._model_from_callers(owner, receiver.id, depth)
        return None, f"`{receiver.id}` does not come from `nnx.Optimizer(...)` here"

    def _model_of_attribute(self, receiver: ast.Attribute, scope: Scope):
        self_type = self.context.resolver.type_of(receiver.value, scope)
        if not isinstance(self_type, InstanceT):
            return None, "the optimizer's owner is unknown"
        info = self.context.index.lookup_class(self_type.cls)
        bindings = info.attribute_bindings.get(receiver.attr, []) if info else []
        models = set()
        for value, function, _ in bindings:
            if not (isinstance(value, ast.Call) and function is not None):
                return None, f"`{receiver.attr}` is not only bound to `nnx.Optimizer(...)`"
            model = _model_argument(value)
            method_scope = self.context.resolver.method_scope(info, function)
            if not (isinstance(model, ast.Attribute) and isinstance(model.value, ast.Name)
                    and method_scope.bindings.get(model.value.id, [("",)])[0][0] == "self"):
                return None, "the Optimizer was built from something other than an attribute of the same object"
            models.add(model.attr)
        if len(models) != 1:
            return None, "no single construction of the Optimizer was found"
        return f"{receiver.value.id}.{models.pop()}", ""

    def _model_from_callers(self, function_scope: Scope, parameter: str, depth: int):
        """`def step(model, opt, ...)`: the parameter every caller fills with opt's model."""
        function = function_scope.node
        parameters = [a.arg for a in [*function.args.posonlyargs, *function.args.args]]
        if parameter not in parameters or not isinstance(function_scope.parent.node, ast.Module):
            return None, "the optimizer is a parameter of a function nnx-migrate cannot follow"
        qualified = f"{function_scope.file.module}.{function.name}" if function_scope.file.module else function.name
        chosen: set[str] = set()
        calls = kept = 0
        for file in self.context.index.files.values():
            other = self.context if file is self.context.file else FileContext(
                file=file, index=self.context.index, resolver=self.context.resolver, settings=self.context.settings)
            if function.name not in file.text:
                continue
            for visit in other.visits(ast.Name, ast.Attribute):
                node = visit.node
                if not isinstance(node, (ast.Name, ast.Attribute)) or self.context.resolver.qualified(node, visit.scope) != qualified:
                    continue
                if not (isinstance(visit.parent, ast.Call) and visit.parent.func is node):
                    if isinstance(visit.parent, ast.FunctionDef) or not isinstance(getattr(node, "ctx", None), ast.Load):
                        continue
                    return None, f"`{function.name}` is used as a value in {file.path.name}:{node.lineno}"
                call = visit.parent
                arguments = _bind_arguments(call, parameters)
                if arguments is None or parameter not in arguments:
                    return None, f"a call of `{function.name}` cannot be matched to its parameters"
                model, why = self._model_of(arguments[parameter], visit.scope, depth + 1)
                if why == KEEPS_OLD_CALLS:
                    kept += 1
                    continue
                if model is None:
                    return None, why
                matching = [p for p, a in arguments.items() if isinstance(a, ast.Name) and a.id == model]
                if len(matching) != 1:
                    return None, f"a call of `{function.name}` does not pass the Optimizer's model"
                chosen.add(matching[0])
                calls += 1
        if kept and not calls:
            return None, KEEPS_OLD_CALLS  # every caller passes a ModelAndOptimizer
        if kept:
            return None, f"callers of `{function.name}` pass both an Optimizer and a ModelAndOptimizer"
        if calls == 0 or len(chosen) != 1:
            return None, f"no call of `{function.name}` shows which model its optimizer holds"
        name = chosen.pop()
        if len(function_scope.bindings.get(name, [])) != 1:
            return None, f"`{name}` is rebound inside `{function.name}`"
        return name, ""


def _model_argument(call: ast.Call) -> ast.expr | None:
    if call.args:
        return call.args[0]
    for keyword in call.keywords:
        if keyword.arg == "model":
            return keyword.value
    return None


def _bind_arguments(call: ast.Call, parameters: list[str]) -> dict[str, ast.expr] | None:
    if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
        return None
    if len(call.args) > len(parameters):
        return None
    bound = dict(zip(parameters, call.args))
    for keyword in call.keywords:
        bound[keyword.arg] = keyword.value
    return bound


class OptimizerApiCommand(RuleCommand):
    """libcst codemod for the optimizer-api rule."""

    DESCRIPTION = OptimizerApi.summary
    RULE = OptimizerApi
