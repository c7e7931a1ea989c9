'''# variable-metadata

## What it does
An assignment of metadata to a Variable's attribute, `v.foo = meta`, becomes
`v.set_metadata(foo=meta)`, where `v` is shown to be a Variable (see `value-access` for
how). `.value` and `.raw_value` are left to the value-access rule.

`v.sharding_names = names` and `v.sharding = names` become
`v.set_metadata(out_sharding=names)` for targets from 0.12.4: on 0.12.8 and 0.12.12
`set_metadata(sharding_names=...)` / `set_metadata(sharding=...)` warn and store
`out_sharding`, the same metadata (checked); on 0.12.4 `set_metadata` stores the name as
given, where only `out_sharding` is read as the annotation (read in its source). For
targets 0.12.0-0.12.3 (where `out_sharding` is not yet the name flax reads) the name is
kept.

## Why
From flax 0.12.1 Variables keep their metadata apart and setting an unknown attribute
raises `AttributeError`; `set_metadata` exists from 0.12.0.

## Example
```python
from flax import nnx


class Dense(nnx.Module):
    def __init__(self, *, rngs: nnx.Rngs):
        self.linear = nnx.Linear(2, 3, rngs=rngs)
        self.linear.kernel.sharding_hint = ("data", None)
```

## Use instead
```python
from flax import nnx


class Dense(nnx.Module):
    def __init__(self, *, rngs: nnx.Rngs):
        self.linear = nnx.Linear(2, 3, rngs=rngs)
        self.linear.kernel.set_metadata(sharding_hint=("data", None))
```

## When the fix is unsafe
Never for targets from 0.12.0 on (below that nothing is rewritten). Reading the metadata
back (`v.foo`) still works on 0.12.
'''

from __future__ import annotations

import ast

import libcst as cst

from nnx_migrate.command import RuleCommand
from nnx_migrate.cst_build import keyword_argument
from nnx_migrate.resolve import VariableT
from nnx_migrate.rule import Diagnostic, FileContext, Rule, Site, version_at_least

NAME = "variable-metadata"
NEEDED_FROM = "0.12.0"
NOT_METADATA = frozenset({"value", "raw_value"})
# metadata names flax renamed: old -> (new, the first target that has the new name)
RENAMED = {"sharding_names": ("out_sharding", "0.12.4"), "sharding": ("out_sharding", "0.12.4")}


def _set_metadata(name: str):
    return lambda node: _set_metadata_call(node, name)


def _set_metadata_call(node: cst.Assign, name: str) -> cst.Expr:
    target = node.targets[0].target
    call = cst.Call(
        func=target.with_changes(attr=cst.Name("set_metadata")),
        args=[keyword_argument(name, node.value)],
    )
    return cst.Expr(call, semicolon=node.semicolon)


class VariableMetadata(Rule):
    name = NAME
    summary = "`v.foo = meta` on a Variable -> `v.set_metadata(foo=meta)`"
    needed_from = "0.12.1"
    safety = "safe"
    documentation = __doc__

    def analyze(self, context: FileContext) -> tuple[list[Site], list[Diagnostic]]:
        sites: list[Site] = []
        if not version_at_least(context, NEEDED_FROM):
            return sites, []
        for visit in context.visits(ast.Assign):
            node = visit.node
            if not (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Attribute)):
                continue
            target = node.targets[0]
            if target.attr in NOT_METADATA or target.attr.startswith("_"):
                continue
            variable = context.resolver.type_of(target.value, visit.scope)
            if isinstance(variable, VariableT) and not context.resolver.may_define_before_flax(variable.cls, {target.attr, "__setattr__"}):
                name = target.attr
                if name in RENAMED and version_at_least(context, RENAMED[name][1]):
                    name = RENAMED[name][0]
                sites.append(context.site(NAME, node, "Assign", _set_metadata(name), f"`v.{target.attr} = ...` -> `v.set_metadata({name}=...)`"))
        return sites, []


class VariableMetadataCommand(RuleCommand):
    """libcst codemod for the variable-metadata rule."""

    DESCRIPTION = VariableMetadata.summary
    RULE = VariableMetadata
