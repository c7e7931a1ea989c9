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
  `is_array_ref`, `ArrayRef`, `to_arrays`, `to_refs`, `use_refs`, `using_refs` (0.12.1).

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
REMOVED = {
    **{name: ("0.10.6", _TRANSFORM) for name in ("Jit", "Remat", "Scan", "Vmap", "Pmap")},
    "fork": ("0.11.0", "use `rngs.fork()` / `rngs.split(n)`, or `nnx.fork_rngs` / `nnx.split_rngs`"),
    "ForkStates": ("0.11.0", "use `nnx.fork_rngs` / `nnx.split_rngs`"),
    **{name: ("0.11.1", _MUTABLE) for name in ("mutable_array", "is_mutable_array", "MutableArray", "freeze", "mutable")},
    **{name: ("0.12.1", _MUTABLE) for name in ("array_ref", "is_array_ref", "ArrayRef", "to_arrays", "to_refs",
                                               "use_refs", "using_refs")},
}


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
        for visit in context.visits(ast.Call, ast.Set, ast.Dict):
            node = visit.node
            if isinstance(node, ast.Call):
                func = node.func
                if isinstance(func, ast.Attribute) and func.attr in ("sow", "perturb") and version_at_least(context, "0.12.6"):
                    owner = resolver.type_of(func.value, visit.scope)
                    if isinstance(owner, InstanceT) and context.index.is_nnx_class(owner.cls) \
                            and not resolver.replaces_member(owner.cls, func.attr):
                        report(node, f"`{func.attr}` outside `nnx.capture` is deprecated from flax 0.12.6",
                               "collect sown values with `nnx.capture(...)` around the call that sows" if func.attr == "sow"
                               else "run the model under `nnx.capture(model, nnx.Perturbation)` / "
                                    "`nnx.capture(model, nnx.Intermediate, init=perturbations)`")
                qualified = visit.qualified(func)
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


class DeprecatedPatternsCommand(RuleCommand):
    """libcst codemod for the deprecated-patterns rule (reports only)."""

    DESCRIPTION = DeprecatedPatterns.summary
    RULE = DeprecatedPatterns
