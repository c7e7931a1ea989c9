'''# sharding-metadata

## What it does
Renames the sharding metadata of Variables: `nnx.Param(x, sharding=...)` and
`nnx.Param(x, sharding_names=...)` become `nnx.Param(x, out_sharding=...)`, for every
Variable type (flax's and the project's own subclasses).

## Why
Flax 0.12.4 deprecated `sharding_names=` and 0.12.6 `sharding=`; `out_sharding=` is the
name from 0.12.4 on.

## Example
```python
import jax
from flax import nnx


class Embed(nnx.Module):
    def __init__(self, shape, *, rngs: nnx.Rngs):
        self.w = nnx.Param(jax.random.normal(rngs.params(), shape), sharding=("embed", "mlp"))
```

## Use instead
```python
import jax
from flax import nnx


class Embed(nnx.Module):
    def __init__(self, shape, *, rngs: nnx.Rngs):
        self.w = nnx.Param(jax.random.normal(rngs.params(), shape), out_sharding=("embed", "mlp"))
```

## When the fix is unsafe
Never for targets from 0.12.4 on; below that `out_sharding=` does not exist and nothing
is rewritten. A call that passes both names is reported.
'''

from __future__ import annotations

import ast

import libcst as cst

from nnx_migrate.command import RuleCommand
from nnx_migrate.rule import Diagnostic, FileContext, Rule, Site, version_at_least

NAME = "sharding-metadata"
NEEDED_FROM = "0.12.4"
OLD_NAMES = ("sharding", "sharding_names")


def _rename_keyword(node: cst.Call) -> cst.Call:
    args = [
        a.with_changes(keyword=cst.Name("out_sharding")) if a.keyword is not None and a.keyword.value in OLD_NAMES else a
        for a in node.args
    ]
    return node.with_changes(args=args)


class ShardingMetadata(Rule):
    name = NAME
    summary = "`nnx.Param(..., sharding=...)` / `sharding_names=` -> `out_sharding=`"
    needed_from = NEEDED_FROM
    safety = "safe"
    documentation = __doc__

    def analyze(self, context: FileContext) -> tuple[list[Site], list[Diagnostic]]:
        sites: list[Site] = []
        diagnostics: list[Diagnostic] = []
        if not version_at_least(context, NEEDED_FROM):
            return sites, diagnostics
        for visit in context.visits(ast.Call):
            node = visit.node
            if not isinstance(node, ast.Call):
                continue
            keywords = [k.arg for k in node.keywords]
            old = [k for k in keywords if k in OLD_NAMES]
            if not old:
                continue
            qualified = visit.qualified(node.func)
            if qualified is None or not context.index.is_variable_class(qualified) \
                    or context.resolver.may_define_before_flax(qualified, {"__init__"}, exactly=True):  # its own keywords
                continue
            if len(old) > 1 or "out_sharding" in keywords:
                diagnostics.append(context.diagnostic(
                    NAME, node, "the Variable gets its sharding under more than one name",
                    "keep one, as `out_sharding=`"))
                continue
            sites.append(context.site(NAME, node, "Call", _rename_keyword, f"`{old[0]}=` -> `out_sharding=`"))
        return sites, diagnostics


class ShardingMetadataCommand(RuleCommand):
    """libcst codemod for the sharding-metadata rule."""

    DESCRIPTION = ShardingMetadata.summary
    RULE = ShardingMetadata
