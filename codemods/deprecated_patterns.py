'''# deprecated-patterns

## What it does
Reports, without rewriting, code whose meaning changed in flax 0.11-0.12 in ways no
mechanical rewrite can settle:

- `self.sow(...)` and `self.perturb(...)` in a Module: deprecated outside `nnx.capture`
  from 0.12.6 (checked on 0.12.8 and 0.12.12: each call warns);
- Variable hooks (`on_get_value=`, `on_set_value=`, `on_create_value=`, `on_add_axis=`,
  `on_remove_axis=`) on a Variable or through `nnx.with_metadata(init, on_set_value=...)`:
  `UserWarning` from 0.12.7;
- Variables in sets or as dict keys: Variables are unhashable from 0.12.1;
- `jax.tree.leaves(model)`, `jax.tree.map(f, model)`, ... on a Module: Modules are pytrees
  from 0.11.0, so these now see the Module's Variables instead of one opaque leaf;
- flax names removed with no replacement of the same meaning, imported from `flax.nnx` or
  read as `nnx.<name>` (checked against the exports of 0.10.5, 0.10.7, 0.11.2, 0.12.1,
  0.12.8): the Module-class transforms `nnx.Jit`, `Remat`, `Scan`, `Vmap`, `Pmap` (gone in
  0.10.6), `nnx.fork` / `nnx.ForkStates` (0.11.0), the experimental `nnx.mutable_array`,
  `is_mutable_array`, `MutableArray`, `freeze`, `mutable` (0.11.1) and `nnx.array_ref`,
  `is_array_ref`, `ArrayRef`, `to_arrays`, `to_refs`, `use_refs`, `using_refs` (0.12.1);
- `@nnx.split_rngs(splits=n)` over a scanned method of a Module whose `__init__` is itself
  under `@nnx.split_rngs` and `@nnx.vmap` (the scan-over-layers pattern of the 0.10 docs):
  from 0.11.0 the Rngs the vmapped `__init__` stored already hold one key per layer, and
  splitting them again raises `ValueError: fold_in accepts a single key, but was given a
  key array of shape (n,)` (checked: 0.10.7 needs the decorator, 0.11.2, 0.12.8 and
  0.12.12 raise with it and run without it). Reported where neither `split_rngs` has an
  `only=` filter and `__init__` hands its rngs to a layer that keeps a stream (`nnx.Dropout`
  or one of the project's Modules); flax's other layers only draw from it, and then
  nothing is split twice (checked);
- an `nnx.Sequential` called with keyword arguments (other than `rngs`): up to 0.12.10 they
  go to the first layer only (which raises TypeError if it does not take them); from
  0.12.11 to every layer that takes them, and are dropped for the others (checked on
  0.10.7, 0.11.2, 0.12.8 against 0.12.12: two Dropout layers given `deterministic=True`).
  Not reported for a Sequential shown to hold one layer or none, nor for a project
  subclass with its own `__call__`;
- flax's RNN cells (`LSTMCell`, `OptimizedLSTMCell`, `SimpleCell`, `GRUCell`, also through
  a project subclass's `super().__init__(...)`) given
  `carry_init=` (UserWarning from 0.12.1: it belongs to `initialize_carry(...,
  carry_init=)`, new in 0.12.1) or `keep_rngs=` other than `False` (UserWarning from 0.12.7:
  pass `rngs` where the carry is made); checked on 0.12.0, 0.12.3, 0.12.8, 0.12.12.

Each report says where, what changed and what to do.

## Why
These changes alter behaviour rather than spelling: the right fix depends on what the
code meant.

## Example
```python
import jax
from flax import nnx


class Block(nnx.Module):
    def __call__(self, x):
        self.sow(nnx.Intermediate, "features", x)
        return x

model = Block()
leaves = jax.tree.leaves(model)
```

## Use instead
```python
import jax
from flax import nnx


class Block(nnx.Module):
    def __call__(self, x):
        self.sow(nnx.Intermediate, "features", x)  # collect it under nnx.capture(...)
        return x

model = Block()
leaves = jax.tree.leaves(nnx.state(model))
```

## When the fix is unsafe
The rule fixes nothing; it only reports.
'''

from __future__ import annotations

import ast

from nnx_migrate import flax_api
from nnx_migrate.bindings import EXPR
from nnx_migrate.command import RuleCommand
from nnx_migrate.resolve import InstanceT, VariableT
from nnx_migrate.rule import Diagnostic, FileContext, Rule, Site, version_at_least

NAME = "deprecated-patterns"
HOOKS = ("on_get_value", "on_set_value", "on_create_value", "on_add_axis", "on_remove_axis")
TREE_FUNCTIONS = frozenset(
    {"jax.tree.leaves", "jax.tree.map", "jax.tree.flatten", "jax.tree.structure", "jax.tree_util.tree_leaves",
     "jax.tree_util.tree_map", "jax.tree_util.tree_flatten"}
)
URL = "https://flax.readthedocs.io/en/latest/api_reference/flax.nnx/index.html"
# name -> (the first release without it, what to do instead)
_TRANSFORM = "use the function transform (`nnx.jit`, `nnx.remat`, `nnx.scan`, `nnx.vmap`, `nnx.pmap`) on a function"
_MUTABLE = "experimental API renamed twice since; use Variables (`nnx.Variable`) or `nnx.with_vars` / `nnx.var_defaults`"
SEQUENTIAL = f"{flax_api.NNX}.Sequential"
CELLS = frozenset(f"{flax_api.NNX}.{name}" for name in ("LSTMCell", "OptimizedLSTMCell", "SimpleCell", "GRUCell"))
REMOVED = {
    **{name: ("0.10.6", _TRANSFORM) for name in ("Jit", "Remat", "Scan", "Vmap", "Pmap")},
    "fork": ("0.11.0", "use `rngs.fork()` / `rngs.split(n)`, or `nnx.fork_rngs` / `nnx.split_rngs`"),
    "ForkStates": ("0.11.0", "use `nnx.fork_rngs` / `nnx.split_rngs`"),
    **{name: ("0.11.1", _MUTABLE) for name in ("mutable_array", "is_mutable_array", "MutableArray", "freeze", "mutable")},
    **{name: ("0.12.1", _MUTABLE) for name in ("array_ref", "is_array_ref", "ArrayRef", "to_arrays", "to_refs",
                                               "use_refs", "using_refs")},
}


def _has_only(decorator: ast.expr) -> bool:
    """`split_rngs(..., only=...)`: which streams it splits (and whether the layers keep
    them) is the filter's; the reported pattern splits every stream."""
    return not isinstance(decorator, ast.Call) or any(k.arg in ("only", None) for k in decorator.keywords)


def _stores_rngs(context: FileContext, visit, init: ast.FunctionDef) -> bool:
    """`__init__` hands its rngs to a layer that keeps a stream: `nnx.Dropout`, or one of
    the project's Modules (which may hold one). flax's other layers only draw from it."""
    names = {a.arg for a in init.args.args + init.args.kwonlyargs if a.arg != "self"}
    for node in ast.walk(init):
        if isinstance(node, ast.Call) and any(isinstance(a, ast.Name) and a.id in names
                                              for a in [*node.args, *(k.value for k in node.keywords)]):
            qualified = flax_api.canonical_module(visit.qualified(node.func) or "")
            if qualified == f"{flax_api.NNX}.Dropout" or (
                    qualified and flax_api.flax_name(qualified) is None and context.index.is_nnx_class(qualified)):
                return True
    return False


def _super_init_of_a_cell(context: FileContext, node: ast.Call) -> bool:
    """`super().__init__(...)` in a project subclass of one of flax's RNN cells."""
    func = node.func
    if not (isinstance(func, ast.Attribute) and func.attr == "__init__" and isinstance(func.value, ast.Call)
            and isinstance(func.value.func, ast.Name) and func.value.func.id == "super" and not func.value.args):
        return False
    parent = context.parent(node)
    while parent is not None and not isinstance(parent, ast.ClassDef):
        parent = context.parent(parent)
    info = context.class_info(parent) if parent is not None else None
    return info is not None and any(flax_api.canonical_module(base) in CELLS for base in context.index.mro(info.qualname)[1:])


def _at_most_one_layer(resolver, func: ast.expr, scope) -> bool:
    """`seq` bound only to `nnx.Sequential()` / `nnx.Sequential(layer)`: with one layer or
    none, its keywords reach the same place before and after 0.12.11."""
    if not isinstance(func, ast.Name):
        return False
    found = resolver.reaching_bindings(func, scope)
    if not found or not found[1]:
        return False
    return all(b.kind == EXPR and isinstance(b.value, ast.Call) and len(b.value.args) <= 1
               and not any(isinstance(a, ast.Starred) for a in b.value.args) for b in found[1])


class DeprecatedPatterns(Rule):
    name = NAME
    summary = "reports `sow` outside `nnx.capture`, Variable hooks, hashed Variables, `jax.tree.*` on Modules"
    needed_from = "0.11.0"
    safety = "report only"
    documentation = __doc__

    def analyze(self, context: FileContext) -> tuple[list[Site], list[Diagnostic]]:
        diagnostics: list[Diagnostic] = []
        resolver = context.resolver

        def report(node, message, advice):
            diagnostics.append(context.diagnostic(NAME, node, message, advice, URL))

        removed = {name: why for name, (since, why) in REMOVED.items() if version_at_least(context, since)}
        for visit in context.visits(ast.ImportFrom, ast.Attribute) if removed else ():
            node = visit.node
            if isinstance(node, ast.ImportFrom):
                if node.module in ("flax.nnx", "flax.experimental.nnx") and not node.level:
                    for alias in node.names:
                        if alias.name in removed:
                            report(node, f"`nnx.{alias.name}` is gone from flax {REMOVED[alias.name][0]}, with no replacement of the same meaning",
                                   removed[alias.name])
            elif node.attr in removed and visit.qualified(node) in (f"flax.nnx.{node.attr}", f"flax.experimental.nnx.{node.attr}"):
                report(node, f"`nnx.{node.attr}` is gone from flax {REMOVED[node.attr][0]}, with no replacement of the same meaning",
                       removed[node.attr])
        if version_at_least(context, "0.11.0") and "split_rngs" in context.file.text:
            for visit in context.visits(ast.ClassDef):
                self._split_rngs_twice(context, visit, report)
        for visit in context.visits(ast.Call, ast.Set, ast.Dict):
            node = visit.node
            if isinstance(node, ast.Call):
                func = node.func
                keywords = [k.arg or "**" for k in node.keywords if k.arg != "rngs"]
                if keywords and "Sequential" in context.file.text:
                    owner = resolver.type_of(func, visit.scope)
                    if isinstance(owner, InstanceT) and resolver.is_subclass(owner.cls, SEQUENTIAL) \
                            and not resolver.defines_before_flax(owner.cls, {"__call__"}, exactly=True) \
                            and not _at_most_one_layer(resolver, func, visit.scope):
                        report(node, f"`nnx.Sequential` called with keyword arguments ({', '.join(keywords)}): up to flax "
                                     "0.12.10 they go to its first layer only, from 0.12.11 to every layer that takes them",
                               "pass them to the layers that need them (or check that every layer taking them should)")
                if isinstance(func, ast.Attribute) and func.attr in ("sow", "perturb") and version_at_least(context, "0.12.6"):
                    owner = resolver.type_of(func.value, visit.scope)
                    if isinstance(owner, InstanceT) and context.index.is_nnx_class(owner.cls) \
                            and not resolver.replaces_member(owner.cls, func.attr):
                        report(node, f"`{func.attr}` outside `nnx.capture` is deprecated from flax 0.12.6",
                               "collect sown values with `nnx.capture(...)` around the call that sows" if func.attr == "sow"
                               else "run the model under `nnx.capture(model, nnx.Perturbation)` / "
                                    "`nnx.capture(model, nnx.Intermediate, init=perturbations)`")
                qualified = visit.qualified(func)
                if node.keywords and (flax_api.canonical_module(qualified or "") in CELLS or _super_init_of_a_cell(context, node)):
                    self._cell_options(context, node, report)
                if qualified and (context.index.is_variable_class(qualified) or qualified in (
                        "flax.nnx.with_metadata", f"{flax_api.NNX}.with_metadata")) and version_at_least(context, "0.12.7"):
                    hooks = [k.arg for k in node.keywords if k.arg in HOOKS]
                    if hooks:
                        report(node, f"Variable hooks ({', '.join(hooks)}) warn from flax 0.12.7",
                               "move the hook's logic into the code that reads or writes the Variable")
                if qualified in TREE_FUNCTIONS and node.args:
                    tree = node.args[1] if qualified.endswith("map") and len(node.args) > 1 else node.args[0]
                    found = resolver.type_of(tree, visit.scope)
                    if isinstance(found, InstanceT) and context.index.is_nnx_class(found.cls):
                        report(node, f"`{qualified}` on a Module: Modules are pytrees from flax 0.11, so it sees their Variables",
                               "apply it to `nnx.state(model)` (or split the model) to keep the old meaning")
                if isinstance(func, ast.Name) and func.id in ("set", "frozenset", "hash") and node.args and \
                        version_at_least(context, "0.12.1"):
                    found = resolver.type_of(node.args[0], visit.scope)
                    if isinstance(found, VariableT) or (hasattr(found, "element") and isinstance(found.element, VariableT)):
                        report(node, "Variables are unhashable from flax 0.12.1",
                               "key them by path or by `id(variable)` instead")
            elif isinstance(node, (ast.Set, ast.Dict)) and version_at_least(context, "0.12.1"):
                keys = node.elts if isinstance(node, ast.Set) else [k for k in node.keys if k is not None]
                keys = [k for k in keys if not isinstance(k, ast.Constant)]  # `{"w": ...}`: a string is no Variable
                if any(isinstance(resolver.type_of(k, visit.scope), VariableT) for k in keys):
                    report(node, "a Variable used as a set element or dict key: Variables are unhashable from flax 0.12.1",
                           "key them by path or by `id(variable)` instead")
        return [], diagnostics

    @staticmethod
    def _cell_options(context: FileContext, node: ast.Call, report) -> None:
        for keyword in node.keywords:
            if keyword.arg == "carry_init" and version_at_least(context, "0.12.1"):
                report(keyword.value, "`carry_init=` in an RNN cell's constructor warns from flax 0.12.1 (UserWarning)",
                       "pass it where the carry is made: `cell.initialize_carry(shape, rngs, carry_init=...)`, "
                       "or give the RNN's call an `initial_carry=`")
            elif keyword.arg == "keep_rngs" and version_at_least(context, "0.12.7") and not (
                    isinstance(keyword.value, ast.Constant) and keyword.value.value is False):
                report(keyword.value, "`keep_rngs=` on an RNN cell warns from flax 0.12.7 (UserWarning)",
                       "drop it and pass `rngs` where the carry is made: `rnn(x, rngs=rngs)` or "
                       "`cell.initialize_carry(shape, rngs)` (the draws come from that stream instead)")

    @staticmethod
    def _split_rngs_twice(context: FileContext, visit, report) -> None:
        """`@nnx.split_rngs` over `@nnx.scan` on a method, in a Module whose `__init__` is
        under `@nnx.split_rngs` and `@nnx.vmap`."""
        info = context.class_info(visit.node)
        if info is None or not context.index.is_nnx_class(info.qualname):
            return

        def transforms(function) -> dict[str, ast.expr]:
            found = {}
            for decorator in function.decorator_list:
                target = decorator.func if isinstance(decorator, ast.Call) else decorator
                qualified = flax_api.canonical_module(visit.qualified(target) or "")
                for name in ("split_rngs", "vmap", "scan"):
                    if qualified == f"{flax_api.NNX}.{name}":
                        found.setdefault(name, decorator)
            return found

        init = info.methods.get("__init__")
        if init is None or not {"split_rngs", "vmap"} <= (init_found := transforms(init)).keys() \
                or _has_only(init_found["split_rngs"]) or not _stores_rngs(context, visit, init):
            return
        for name, method in info.methods.items():
            found = transforms(method) if name != "__init__" else {}
            if {"split_rngs", "scan"} <= found.keys() and not _has_only(found["split_rngs"]):
                report(found["split_rngs"],
                       f"`@nnx.split_rngs` over the scanned `{name}` after a split and vmapped `__init__`: from flax 0.11 "
                       "the Rngs `__init__` stored already hold one key per layer, and splitting them again raises "
                       "`ValueError: fold_in accepts a single key`",
                       "remove this `@nnx.split_rngs(...)` (keep the one on `__init__`); the random draws differ from flax 0.10's")


class DeprecatedPatternsCommand(RuleCommand):
    """libcst codemod for the deprecated-patterns rule (reports only)."""

    DESCRIPTION = DeprecatedPatterns.summary
    RULE = DeprecatedPatterns
