'''# sharding-metadata

## What it does
Renames the sharding metadata of Variables: `nnx.Param(x, sharding=...)` and
`nnx.Param(x, sharding_names=...)` become `nnx.Param(x, out_sharding=...)`, for every
Variable type (flax's and the project's own subclasses).

Reads of it, where the receiver is shown to be a Variable:

| old | new |
|---|---|
| `v.sharding_names` | `v.get_metadata('out_sharding', None)` (what the 0.12.4+ property returns) |
| `v.sharding` used as the annotation: `P(*v.sharding)`, `v.sharding[i]`, `len(v.sharding)`, `for a in v.sharding`, `v.sharding == (...)`, `v.sharding is None` | `v.get_metadata('out_sharding', None)` |
| any other `v.sharding` | reported: from flax 0.11.2 it is the array's `jax.sharding.Sharding`, no longer the annotation |

## Why
Flax 0.12.4 deprecated `sharding_names=` and 0.12.6 `sharding=`; `out_sharding=` is the
name from 0.12.4 on. The `v.sharding_names` property warns from 0.12.4 and returns
`v.get_metadata('out_sharding', None)` (None when unset). On flax 0.10 `v.sharding` read
the annotation (a Variable's metadata comes before its array's attributes); from 0.11.2
the annotation is stored under another name and `v.sharding` silently returns the array's
`Sharding` (checked on 0.10.7, 0.11.2, 0.12.0, 0.12.8, 0.12.12). Where the read is used as
a tuple of axis names, an array's `Sharding` (not iterable, never None) cannot be what
is meant.

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
is rewritten (`get_metadata(name, default)` raises TypeError on 0.12.0; the reads of
`v.sharding` as the annotation are reported there). A call that passes both names is
reported. A project Variable class that defines `sharding` / `sharding_names` itself is
left alone.
'''

from __future__ import annotations

import ast

import libcst as cst

from nnx_migrate.command import RuleCommand
from nnx_migrate.resolve import VariableT
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
    summary = "`nnx.Param(..., sharding=...)` / `sharding_names=` -> `out_sharding=`; reads of the annotation"
    needed_from = NEEDED_FROM
    safety = "safe"
    documentation = __doc__

    def analyze(self, context: FileContext) -> tuple[list[Site], list[Diagnostic]]:
        sites: list[Site] = []
        diagnostics: list[Diagnostic] = []
        self._reads(context, sites, diagnostics)
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


    def _reads(self, context: FileContext, sites: list[Site], diagnostics: list[Diagnostic]) -> None:
        new_form = version_at_least(context, NEEDED_FROM)
        for attr in ("sharding_names", "sharding"):
            if attr not in context.file.text:
                continue
            for visit in context.attribute_reads(attr):
                node = visit.node
                if attr == "sharding_names" and not new_form:
                    continue  # the property's form on 0.11.2-0.12.3
                if attr == "sharding" and not version_at_least(context, "0.11.2"):
                    continue
                found = context.resolver.type_of(node.value, visit.scope)
                if not isinstance(found, VariableT) and attr == "sharding_names":
                    found = context.evidence.variable(context, visit, diagnostics)  # what a traced run saw
                if not isinstance(found, VariableT) or context.resolver.may_define_before_flax(
                        found.cls, {attr, "__getattr__"}):
                    continue
                if attr == "sharding_names" or _used_as_names(node, visit):
                    if new_form:
                        sites.append(context.site(NAME, node, "Attribute", _get_out_sharding,
                                                  f"`v.{attr}` -> `v.get_metadata('out_sharding', None)`"))
                    else:
                        diagnostics.append(context.diagnostic(
                            NAME, node, "`v.sharding` is the array's Sharding from flax 0.11.2, not the annotation",
                            "read the annotation as `v.sharding_names` (0.11.2-0.12.3) or "
                            "`v.get_metadata('out_sharding', None)` (0.12.4+)"))
                    continue
                diagnostics.append(context.diagnostic(
                    NAME, node, "`v.sharding` on a Variable is the array's jax Sharding from flax 0.11.2; "
                    "on flax 0.10 it was the `sharding=` annotation",
                    "if the annotation is meant, write `v.get_metadata('out_sharding', None)` (0.12.4+); "
                    "if the array's sharding is, `v.get_value().sharding`"))


_TUPLE_BUILTINS = frozenset({"len", "tuple", "list", "zip", "enumerate", "iter", "reversed", "set"})


def _used_as_names(node: ast.Attribute, visit) -> bool:
    """`v.sharding` used as a tuple of axis names: what a jax Sharding cannot be."""
    parent = visit.parent
    if isinstance(parent, ast.Starred) and parent.value is node:
        return True
    if isinstance(parent, ast.Subscript) and parent.value is node:
        return True
    if isinstance(parent, (ast.For, ast.comprehension)) and parent.iter is node:
        return True
    if isinstance(parent, ast.Call) and node in parent.args and isinstance(parent.func, ast.Name) \
            and parent.func.id in _TUPLE_BUILTINS and visit.scope.find(parent.func.id) is None:
        return True
    if isinstance(parent, ast.Compare) and len(parent.ops) == 1:
        other = parent.comparators[0] if parent.left is node else parent.left
        if isinstance(parent.ops[0], (ast.Is, ast.IsNot)) and isinstance(other, ast.Constant) and other.value is None:
            return True
        if isinstance(parent.ops[0], (ast.Eq, ast.NotEq)) and isinstance(other, ast.Tuple):
            return True
    return False


def _get_out_sharding(node: cst.Attribute) -> cst.BaseExpression:
    call = cst.Call(func=node.with_changes(attr=cst.Name("get_metadata"), lpar=[], rpar=[]),
                    args=[cst.Arg(cst.SimpleString("'out_sharding'"), comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))),
                          cst.Arg(cst.Name("None"))])
    return call.with_changes(lpar=node.lpar, rpar=node.rpar)


class ShardingMetadataCommand(RuleCommand):
    """libcst codemod for the sharding-metadata rule."""

    DESCRIPTION = ShardingMetadata.summary
    RULE = ShardingMetadata
