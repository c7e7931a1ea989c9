'''# deprecated-patterns

## What it does
Reports, without rewriting, code whose meaning changed in flax 0.11-0.12 in ways no
mechanical rewrite can settle:

- `self.sow(...)` in a Module: deprecated outside `nnx.capture` from 0.12.6;
- Variable hooks (`on_get_value=`, `on_set_value=`, `on_create_value=`, `on_add_axis=`,
  `on_remove_axis=`): `UserWarning` from 0.12.7;
- Variables in sets or as dict keys: Variables are unhashable from 0.12.1;
- `jax.tree.leaves(model)`, `jax.tree.map(f, model)`, ... on a Module: Modules are pytrees
  from 0.11.0, so these now see the Module's Variables instead of one opaque leaf.

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

        for visit in context.visits(ast.Call, ast.Set, ast.Dict):
            node = visit.node
            if isinstance(node, ast.Call):
                func = node.func
                if isinstance(func, ast.Attribute) and func.attr == "sow" and version_at_least(context, "0.12.6"):
                    owner = resolver.type_of(func.value, visit.scope)
                    if isinstance(owner, InstanceT) and context.index.is_nnx_class(owner.cls):
                        report(node, "`sow` outside `nnx.capture` is deprecated from flax 0.12.6",
                               "collect sown values with `nnx.capture(...)` around the call that sows")
                qualified = visit.qualified(func)
                if qualified and context.index.is_variable_class(qualified) and version_at_least(context, "0.12.7"):
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
