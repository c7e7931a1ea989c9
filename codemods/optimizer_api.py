'''# optimizer-api

## What it does
Moves `nnx.Optimizer` code to the API of flax 0.11:

| old | new |
|---|---|
| `nnx.Optimizer(model, tx)` | `nnx.Optimizer(model, tx, wrt=nnx.Param)` |
| `optimizer.update(grads)` | `optimizer.update(model, grads)` |
| `optimizer.model` | `model` |
| `opt = nnx.ModelAndOptimizer(model, tx)` | `opt = nnx.Optimizer(model, tx, wrt=nnx.Param)`, its `update(grads)` and `.model` as above |

The model is the one the Optimizer was built with: `optimizer = nnx.Optimizer(model, tx)`
in the same function, `self.optimizer = nnx.Optimizer(self.model, tx)` in the same class,
or, for an `optimizer` parameter of a function such as `train_step(model, optimizer,
batch)`, the parameter that every caller in the project fills with the Optimizer's model.
Where the model cannot be shown, the call is reported with what to write.

`nnx.ModelAndOptimizer` (0.11+, deprecated in its docstring: "Use Optimizer instead") is
an Optimizer that also holds the model, so `nnx.state(opt)` / `nnx.split(opt)` (and a
checkpoint of it) hold the model's parameters where an Optimizer's do not (checked on
flax 0.11.2 and 0.12.8). It is rewritten only where every use of the object is in hand:
a name bound once to the construction, with a model that is a name bound once, used only
as `opt.update(...)`, `opt.model` (read), `opt.step` / `.opt_state` / `.tx` / `.wrt`, or
passed to a function of the project whose every call can be seen, passes a rewritten
ModelAndOptimizer and its model beside it (the tutorials' `train_step(model, optimizer,
batch)`), and whose parameter is used only so (its `nnx.ModelAndOptimizer` annotation
becomes `nnx.Optimizer`). Any other use (`nnx.state(opt)`, returned or stored, passed
alone or to other code, `self.optimizer = ...`) leaves it as it is (it works on flax 0.12)
and reports it with the use.

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
Optimizer holds. A `nnx.ModelAndOptimizer`'s `update(grads)` calls are its API and are not
reported; the construction is rewritten as above or reported. Below `--target-version 0.11`
only `wrt=` is added (it is accepted since 0.10).
'''

from __future__ import annotations

import ast

import libcst as cst

from nnx_migrate import flax_api
from nnx_migrate.bindings import ANNOTATION, DEF, EXPR, PARAM, SELF
from nnx_migrate.command import RuleCommand
from nnx_migrate.cst_build import keyword_argument
from nnx_migrate.index import dotted_name
from nnx_migrate.infer.syntax import arguments_by_parameter
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
        args.append(keyword_argument("wrt", cst.parse_expression(f"{alias}.Param")))
        return node.with_changes(args=args)
    return fix


def _to_optimizer(alias: str, add_wrt: bool):
    def fix(node: cst.Call) -> cst.Call:
        node = node.with_changes(func=cst.parse_expression(f"{alias}.Optimizer").with_changes(lpar=node.func.lpar, rpar=node.func.rpar))
        return _add_wrt(alias)(node) if add_wrt else node
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

    def names_needed_project_wide(self, index) -> set[str]:
        """Every use of a ModelAndOptimizer must be seen before it is rewritten, also in
        files that never say flax: a module-level name bound to one (imported elsewhere),
        and the functions it may be passed to (called elsewhere)."""
        names = set()
        for file in index.files.values():
            words = file.words
            if "ModelAndOptimizer" in words or "nnx" in words:  # a function given one may use only `.model`
                names.update(node.name for node in file.tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)))
            if "ModelAndOptimizer" in words:
                names.update(target.id for node in file.tree.body if isinstance(node, ast.Assign)
                             for target in node.targets if isinstance(target, ast.Name))
        return names

    def analyze(self, context: FileContext) -> tuple[list[Site], list[Diagnostic]]:
        sites: list[Site] = []
        diagnostics: list[Diagnostic] = []
        self.context = context
        new_api = version_at_least(context, NEEDED_FROM)
        untyped_updates: list[ast.Attribute] = []  # `opt.update(g)` on receivers of unknown type
        planned: set[int] = set()
        if new_api:
            planned = self._model_and_optimizer(context, sites, diagnostics)
        for visit in context.visits(ast.Call, ast.Attribute):
            node = visit.node
            if id(node) in planned:
                continue
            if isinstance(node, ast.Call) and visit.qualified(node.func) == MODEL_AND_OPTIMIZER:
                continue
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

    def _model_and_optimizer(self, context: FileContext, sites: list[Site], diagnostics: list[Diagnostic]) -> set[int]:
        """The sites of the project's plan for `nnx.ModelAndOptimizer` in this file; the
        ids of the nodes it rewrites."""
        if getattr(self, "_plan_resolver", None) is not context.resolver:
            self._plan_resolver, self._plan = context.resolver, _ModelAndOptimizerPlan(self, context)
        plan, path = self._plan, str(context.file.path)
        edits = plan.edits.get(path, [])
        alias = context.nnx_alias() if edits else None
        done: set[int] = set()
        for kind, node, model in edits:
            if alias is None and kind == "annotation":
                continue  # `nnx` is something else here (a construction in such a file stays)
            done.add(id(node))
            if kind == "construct":
                add_wrt = not any(k.arg == "wrt" for k in node.keywords)
                sites.append(context.site(NAME, node, "Call", _to_optimizer(alias, add_wrt),
                                          "`nnx.ModelAndOptimizer(model, tx)` -> `nnx.Optimizer(model, tx, wrt=...)`"))
            elif kind == "update":
                done.add(id(node.func))
                sites.append(context.site(NAME, node, "Call", _prepend_model(model),
                                          f"`ModelAndOptimizer.update(grads)` -> `Optimizer.update({model}, grads)`"))
            elif kind == "model":
                sites.append(context.site(NAME, node, "Attribute", _replace_with(model),
                                          f"`ModelAndOptimizer.model` -> `{model}`"))
            else:
                sites.append(context.site(NAME, node, type(node).__name__, _replace_with(f"{alias}.Optimizer"),
                                          "annotation `nnx.ModelAndOptimizer` -> `nnx.Optimizer`"))
        for node, why in plan.reports.get(path, []):
            diagnostics.append(context.diagnostic(
                NAME, node, f"`nnx.ModelAndOptimizer` is deprecated since flax 0.11 and not rewritten: {why}",
                "write `nnx.Optimizer(model, tx, wrt=nnx.Param)`, pass the model to `optimizer.update(model, grads)` "
                "and use the model where `optimizer.model` was read; `nnx.state(optimizer)` then no longer holds the model", URL))
        return done

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
                if binding.kind == EXPR and isinstance(binding.value, ast.Call):
                    qualified = self.context.resolver.qualified(binding.value.func, found[0])
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
        if binding.kind == EXPR and isinstance(binding.value, ast.Call) and \
                MODEL_AND_OPTIMIZER in self.context.index.mro(self.context.resolver.qualified(binding.value.func, owner) or ""):
            return None, KEEPS_OLD_CALLS
        if binding.kind == EXPR and isinstance(binding.value, ast.Call) \
                and self._is_optimizer_class(self.context.resolver.qualified(binding.value.func, owner)):
            model = _model_argument(binding.value)
            if isinstance(model, ast.Name) and scope.find(model.id) is owner.find(model.id) \
                    and scope.find(model.id) is not None and len(scope.find(model.id).bindings[model.id]) == 1:
                return model.id, ""
            return None, "the Optimizer was built from an expression that is not a plain name in scope"
        if binding.kind in (ANNOTATION, PARAM) and isinstance(owner.node, (ast.FunctionDef, ast.AsyncFunctionDef)):
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
            owner_bindings = method_scope.bindings.get(model.value.id) if isinstance(model, ast.Attribute) \
                and isinstance(model.value, ast.Name) else None
            if not (owner_bindings and owner_bindings[0].kind == SELF):
                return None, "the Optimizer was built from something other than an attribute of the same object"
            models.add(model.attr)
        if len(models) != 1:
            return None, "no single construction of the Optimizer was found"
        return f"{receiver.value.id}.{models.pop()}", ""

    def _model_from_callers(self, function_scope: Scope, parameter: str, depth: int):
        """`def step(model, opt, ...)`: the parameter every caller fills with opt's model,
        when the engine sees every call (`Resolver.callers`: a whole-folder run, no file
        that failed, no other name or star import, no use as a value)."""
        function = function_scope.node
        callers = self.context.resolver.callers(function)
        if callers is None:
            return None, "the optimizer is a parameter of a function nnx-migrate cannot follow"
        chosen: set[str] = set()
        calls = kept = 0
        method = isinstance(function_scope.parent.node, ast.ClassDef)  # called as `self._step(...)`
        for call, call_scope in callers:
            arguments = arguments_by_parameter(function, call, skip_self=method)
            if parameter not in arguments:
                return None, f"a call of `{function.name}` cannot be matched to its parameters"
            model, why = self._model_of(arguments[parameter], call_scope, depth + 1)
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


# -- nnx.ModelAndOptimizer -> nnx.Optimizer ------------------------------------------------
# attributes of a ModelAndOptimizer that an Optimizer has with the same meaning
_SAME_ON_OPTIMIZER = frozenset({"step", "opt_state", "tx", "wrt"})


class _Holder:
    """A name holding a ModelAndOptimizer: a variable bound once to the construction, or a
    parameter every caller fills with such a variable; `model` is the name, in `scope`'s
    reach, of the model it was built with."""

    def __init__(self, file, scope: Scope, name: str, model: str):
        self.file, self.scope, self.name, self.model = file, scope, name, model


class _ModelAndOptimizerPlan:
    """Which `nnx.ModelAndOptimizer(model, tx)` constructions become `nnx.Optimizer(model,
    tx, wrt=...)`, project-wide: those whose every use is in hand (`.update(...)`, `.model`,
    the attributes an Optimizer shares, and arguments of the project's functions whose
    parameter is used only so, with the model passed beside it by every caller). The
    edits, by file: (kind, node, model name); the constructions not rewritten, with why."""

    def __init__(self, rule: OptimizerApi, context: FileContext):
        self.rule, self.context = rule, context
        self.resolver, self.index = context.resolver, context.index
        self.edits: dict[str, list[tuple[str, ast.AST, str]]] = {}
        self.reports: dict[str, list[tuple[ast.AST, str]]] = {}
        self._functions: dict[tuple, object] = {}  # (def, parameter) -> (model parameter, edits) | why
        # what each result counted on, for the check that none of it fell through afterwards
        self._depends: dict[tuple, set[tuple]] = {}
        constructions = []
        for node, file in self.resolver.name_uses("ModelAndOptimizer"):
            call = file.parents.get(id(node))
            if not (isinstance(call, ast.Call) and call.func is node):
                continue
            scope = self.resolver.scope_of(call, file)
            if self.resolver.qualified(node, scope) != MODEL_AND_OPTIMIZER:
                continue
            constructions.append((call, file, self._construction_cached(call, scope)))
        failed = {key for key, result in self._functions.items() if isinstance(result, str)}
        while True:  # a result that counted on one that failed fails too
            more = {key for key, depends in self._depends.items() if key not in failed and depends & failed}
            if not more:
                break
            failed |= more
        seen = set()
        for call, file, found in constructions:
            if isinstance(found, str) or (id(call), "") in failed:
                why = found if isinstance(found, str) else "another use of the Optimizer it is passed with is not in hand"
                self.reports.setdefault(str(file.path), []).append((call, why))
                continue
            for kind, node, model, where in found:
                if id(node) not in seen:
                    seen.add(id(node))
                    self.edits.setdefault(str(where.path), []).append((kind, node, model))

    # a construction: its edits (kind, node, model, file) or why it stays
    def _construction(self, call: ast.Call, file, scope: Scope, depends: set[tuple]):
        if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords) \
                or len(call.args) > 2 or any(k.arg not in ("model", "tx", "wrt") for k in call.keywords):
            return "its arguments are not `(model, tx, wrt=...)`"
        holder = file.parents.get(id(call))
        if not (isinstance(holder, ast.Assign) and len(holder.targets) == 1 and isinstance(holder.targets[0], ast.Name)):
            return "it is not assigned to a plain name"
        name = holder.targets[0].id
        model = _model_argument(call)
        if not isinstance(model, ast.Name):
            return "its model is not a plain name"
        if not self._bound_once(scope, name, call) or not self._bound_once(scope, model.id):
            return f"`{name}` or `{model.id}` is bound more than once"
        if FileContext(file=file, index=self.index, resolver=self.resolver, settings=self.context.settings).nnx_alias() is None:
            return "`nnx` names something else in this file"
        found = self._uses(_Holder(file, scope, name, model.id), {id(holder.targets[0])}, depends)
        if isinstance(found, str):
            return found
        return [("construct", call, model.id, file), *found]

    def _bound_once(self, scope: Scope, name: str, value: ast.AST | None = None) -> bool:
        owner = scope.find(name)
        if owner is None or len(owner.bindings.get(name, ())) != 1:
            return False
        binding = owner.bindings[name][0]
        if value is not None and not (binding.kind == EXPR and binding.value is value):
            return False
        return not self.resolver.declared_elsewhere(owner, name)

    def _uses(self, holder: _Holder, skip: set[int], depends: set[tuple]):
        """The edits for every use of the holder's name, or why one is not in hand."""
        file, owner = holder.file, holder.scope.find(holder.name)
        model_owner = holder.scope.find(holder.model)
        if owner is None or model_owner is None:
            return f"`{holder.name}` is not bound here"
        if owner.node is file.tree and self.resolver.used_from_other_files(file, holder.name):
            return f"`{holder.name}` is a module-level name other files may use"
        edits = []
        for node, other in self.resolver.name_uses(holder.name):
            if other is not file or not isinstance(node, ast.Name) or id(node) in skip:
                continue
            use_scope = self.resolver.scope_of(node, file)
            if use_scope.find(holder.name) is not owner:
                continue
            where = f"line {node.lineno}"
            if not isinstance(node.ctx, ast.Load):
                return f"`{holder.name}` is rebound or deleted at {where}"
            if use_scope.find(holder.model) is not model_owner:
                return f"`{holder.model}` is not the same model at {where}"
            parent = file.parents.get(id(node))
            if isinstance(parent, ast.Attribute) and parent.value is node:
                call = file.parents.get(id(parent))
                if parent.attr == "update" and isinstance(call, ast.Call) and call.func is parent \
                        and call.args and not isinstance(call.args[0], ast.Starred):
                    edits.append(("update", call, holder.model, file))
                elif parent.attr == "model" and isinstance(parent.ctx, ast.Load):
                    edits.append(("model", parent, holder.model, file))
                elif not (parent.attr in _SAME_ON_OPTIMIZER and isinstance(parent.ctx, ast.Load)):
                    return f"`{holder.name}.{parent.attr}` at {where} is not one of the uses nnx-migrate can rewrite"
                continue
            if isinstance(parent, ast.Call) and node in parent.args:
                found = self._passed(parent, parent.args.index(node), holder, use_scope, depends)
                if isinstance(found, str):
                    return f"`{holder.name}` is passed at {where}, and {found}"
                edits.extend(found)
                continue
            return f"`{holder.name}` is used at {where} as something other than `.update(...)` or `.model`"
        return edits

    def _passed(self, call: ast.Call, position: int, holder: _Holder, scope: Scope, depends: set[tuple]):
        """`f(..., holder, ...)`: f's parameter there becomes an Optimizer's, if f is the
        project's and every caller passes a ModelAndOptimizer and its model."""
        function = self._function_called(call, scope)
        if function is None:
            return "the function it is passed to is not one of the project's"
        parameter = next((p for p, a in arguments_by_parameter(function, call).items() if a is call.args[position]), None)
        if parameter is None:
            return "it is not matched to a parameter"
        found = self._function(function, parameter)
        depends.add((id(function), parameter))
        return found if isinstance(found, str) else found[1]

    def _function_called(self, call: ast.Call, scope: Scope) -> ast.FunctionDef | None:
        func = call.func
        if not isinstance(func, ast.Name):
            return None
        found = self.resolver.reaching_bindings(func, scope)
        if found and len(found[1]) == 1 and found[1][0].kind == DEF:
            return found[1][0].node
        qualified = self.resolver.qualified(func, scope)
        if qualified is None or "." not in qualified:
            return None
        module, _, name = qualified.rpartition(".")
        for file in self.index.files.values():
            if file.module == module:
                defs = [s for s in file.tree.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef,
                                                                     ast.Assign, ast.Import, ast.ImportFrom))
                        and getattr(s, "name", None) == name]
                if len(defs) == 1 and isinstance(defs[0], (ast.FunctionDef, ast.AsyncFunctionDef)):
                    return defs[0]
        return None

    def _function(self, function: ast.FunctionDef, parameter: str):
        """(model parameter, edits) when every caller passes a ModelAndOptimizer that is
        rewritten at `parameter` and its model at one other parameter; else why not."""
        key = (id(function), parameter)
        if key not in self._functions:
            self._depends[key] = set()
            self._functions[key] = self._compute_function(function, parameter, key)
        return self._functions[key]

    def _compute_function(self, function: ast.FunctionDef, parameter: str, key: tuple):
        scope = self.resolver.function_scope(function)
        callers = self.resolver.callers(function)
        if scope is None or not callers:
            return f"not every call of `{function.name}` can be seen"
        arg = next(a for a in [*function.args.posonlyargs, *function.args.args] if a.arg == parameter)
        edits = []
        if arg.annotation is not None:
            annotated = self.resolver.qualified(arg.annotation, scope.parent)
            if annotated == MODEL_AND_OPTIMIZER:
                edits.append(("annotation", arg.annotation, "", scope.file))
            elif annotated != OPTIMIZER:
                return f"`{parameter}` of `{function.name}` is annotated with something else"
        models = set()
        for call, call_scope in callers:
            arguments = arguments_by_parameter(function, call)
            if not isinstance(arguments.get(parameter), ast.Name):
                return f"a call of `{function.name}` does not pass a plain name as `{parameter}`"
            passed = arguments[parameter]
            model = self._model_passed(passed, call_scope, self._depends[key])
            if model is None:
                return f"a call of `{function.name}` does not pass a ModelAndOptimizer nnx-migrate rewrites"
            matching = [p for p, a in arguments.items() if p != parameter and isinstance(a, ast.Name) and a.id == model
                        and call_scope.find(a.id) is call_scope.find(model)]
            if len(matching) != 1:
                return f"a call of `{function.name}` does not pass the model beside the optimizer"
            models.add(matching[0])
        if len(models) != 1:
            return f"the calls of `{function.name}` pass the model as different parameters"
        model = models.pop()
        for name in (parameter, model):
            if len(scope.bindings.get(name, ())) != 1 or self.resolver.declared_elsewhere(scope, name):
                return f"`{name}` is rebound inside `{function.name}`"
        self._functions[key] = (model, [])  # in progress: what a call inside it needs to know
        found = self._uses(_Holder(scope.file, scope, parameter, model), set(), self._depends[key])
        if isinstance(found, str):
            return found
        return model, [*edits, *found]

    def _model_passed(self, passed: ast.Name, scope: Scope, depends: set[tuple]) -> str | None:
        """The model's name when `passed` holds a ModelAndOptimizer that is rewritten: a
        variable bound once to the construction, or a parameter of such a function."""
        owner = scope.find(passed.id)
        if owner is None or len(owner.bindings.get(passed.id, ())) != 1:
            return None
        binding = owner.bindings[passed.id][0]
        if binding.kind == EXPR and isinstance(binding.value, ast.Call):
            call = binding.value
            if self.resolver.qualified(call.func, owner) != MODEL_AND_OPTIMIZER:
                return None
            depends.add((id(call), ""))
            found = self._construction_cached(call, owner)
            return None if isinstance(found, str) else _model_argument(call).id
        if binding.kind in (PARAM, ANNOTATION) and isinstance(owner.node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            depends.add((id(owner.node), passed.id))
            found = self._function(owner.node, passed.id)
            return None if isinstance(found, str) else found[0]
        return None

    def _construction_cached(self, call: ast.Call, scope: Scope):
        key = (id(call), "")
        if key not in self._functions:
            self._depends[key] = set()
            self._functions[key] = []  # in progress: assumed, checked when all is known
            self._functions[key] = self._construction(call, scope.file, scope, self._depends[key])
        return self._functions[key]


class OptimizerApiCommand(RuleCommand):
    """libcst codemod for the optimizer-api rule."""

    DESCRIPTION = OptimizerApi.summary
    RULE = OptimizerApi
