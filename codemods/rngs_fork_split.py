'''# rngs-fork-split

## What it does
`rngs.fork(split=n)` becomes `rngs.split(n)` where `rngs` is shown to be an `nnx.Rngs`
(constructed with `nnx.Rngs(...)`, annotated `nnx.Rngs`, or the `rngs` parameter of a
Module method), and `rngs.params.fork(split=n)` becomes `rngs.params.split(n)` where the
receiver is shown to be one of its streams (an `nnx.RngStream`).

## Why
Flax 0.12.6 deprecated the `split=` argument of `Rngs.fork` and of `RngStream.fork` (the
same warning: "The 'split' argument of 'fork' is deprecated; use the 'split' method
instead.") in favour of `Rngs.split` / `RngStream.split`.

## Example
```python
from flax import nnx

rngs = nnx.Rngs(0)
keys = rngs.fork(split=4)
```

## Use instead
```python
from flax import nnx

rngs = nnx.Rngs(0)
keys = rngs.split(4)
```

## When the fix is unsafe
Never: `split(n)` is what `fork(split=n)` delegates to (for a stream both draw one key
and return `type(self)(jax.random.split(key, n), tag=self.tag)`). `split` does not exist
before 0.12.6, so nothing is rewritten for an older `--target-version`.
'''

from __future__ import annotations

import ast

import libcst as cst

from nnx_migrate.command import RuleCommand
from nnx_migrate.resolve import RNG_STREAM, RNGS
from nnx_migrate.rule import Diagnostic, FileContext, Rule, Site, version_at_least

NAME = "rngs-fork-split"
NEEDED_FROM = "0.12.6"


def _fork_to_split(node: cst.Call) -> cst.Call:
    (argument,) = node.args
    return node.with_changes(
        func=node.func.with_changes(attr=cst.Name("split")),
        args=[argument.with_changes(keyword=None, equal=cst.MaybeSentinel.DEFAULT)],
    )


class RngsForkSplit(Rule):
    name = NAME
    summary = "`rngs.fork(split=n)` -> `rngs.split(n)`"
    needed_from = NEEDED_FROM
    safety = "safe"
    documentation = __doc__

    def analyze(self, context: FileContext) -> tuple[list[Site], list[Diagnostic]]:
        sites: list[Site] = []
        if not version_at_least(context, NEEDED_FROM):
            return sites, []
        for visit in context.visits(ast.Call):
            node = visit.node
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "fork"
                and not node.args
                and [k.arg for k in node.keywords] == ["split"]
                and context.resolver.type_of(node.func.value, visit.scope) in (RNGS, RNG_STREAM)
            ):
                sites.append(context.site(NAME, node, "Call", _fork_to_split, "`rngs.fork(split=n)` -> `rngs.split(n)`"))
        return sites, []


class RngsForkSplitCommand(RuleCommand):
    """libcst codemod for the rngs-fork-split rule."""

    DESCRIPTION = RngsForkSplit.summary
    RULE = RngsForkSplit
