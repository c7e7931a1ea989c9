'''# state-methods

## What it does
Replaces the deprecated `nnx.State` methods with the module-level functions:

| old | new |
|---|---|
| `state.flat_state()` | `nnx.to_flat_state(state)` |
| `state.filter(f, ...)` | `nnx.filter_state(state, f, ...)` |
| `state.split(f, ...)` | `nnx.split_state(state, f, ...)` |
| `state.merge(other, ...)`, `nnx.State.merge(a, b)` | `nnx.merge_state(state, other, ...)` |
| `state.map(fn)` | `nnx.map_state(fn, state)` |
| `state.to_pure_dict(...)` | `nnx.to_pure_dict(state, ...)` |
| `state.replace_by_pure_dict(d, ...)` | `nnx.replace_by_pure_dict(state, d, ...)` |
| `nnx.State.from_flat_path(flat)` | `nnx.from_flat_state(flat)` |

And `state - other`, both shown to be States, becomes `nnx.statelib.diff(state, other)`:
`State.__sub__` warns ("use the equivalent `nnx.diff` instead") in every release from 0.10
to 0.12.12 and then calls `statelib.diff`, while `nnx.diff` itself is exported by none of
them (checked on 0.10.7, 0.11.2, 0.12.0, 0.12.3, 0.12.8, 0.12.12; `-` raises AttributeError
up to 0.12.0 unless `other` is empty, and so does `diff`).

Only receivers shown to be an `nnx.State` are rewritten: results of `nnx.state(...)`,
`nnx.split(...)`, `nnx.pop(...)`, names annotated `nnx.State`, and sub-states of those.

## Why
The methods emit `DeprecationWarning` from flax 0.10.4; the functions exist from 0.10.7
on (earlier for most), with the same behaviour.

## Example
```python
from flax import nnx

model = nnx.Linear(2, 3, rngs=nnx.Rngs(0))
_, state = nnx.split(model)
params = state.filter(nnx.Param)
flat = params.flat_state()
```

## Use instead
```python
from flax import nnx

model = nnx.Linear(2, 3, rngs=nnx.Rngs(0))
_, state = nnx.split(model)
params = nnx.filter_state(state, nnx.Param)
flat = nnx.to_flat_state(params)
```

## When the fix is unsafe
Never: each function is the implementation the method delegated to. A receiver that
is not shown to be a State (a dict, a pandas object with `.filter`) is left alone.
'''

from __future__ import annotations

import ast

import libcst as cst

from nnx_migrate import flax_api
from nnx_migrate.command import RuleCommand
from nnx_migrate.resolve import is_state
from nnx_migrate.rule import Diagnostic, FileContext, Rule, Site

NAME = "state-methods"
# method -> (function, where the state goes: "first" or "last")
METHODS = {
    "flat_state": ("to_flat_state", "first"),
    "filter": ("filter_state", "first"),
    "split": ("split_state", "first"),
    "merge": ("merge_state", "first"),
    "map": ("map_state", "last"),
    "to_pure_dict": ("to_pure_dict", "first"),
    "replace_by_pure_dict": ("replace_by_pure_dict", "first"),
}
CLASS_METHODS = {"merge": "merge_state", "from_flat_path": "from_flat_state"}


def _method_to_function(alias: str, function: str, position: str):
    def fix(node: cst.Call) -> cst.Call:
        receiver = node.func.value.with_changes(lpar=(), rpar=()) if isinstance(node.func.value, cst.Name) else node.func.value
        state = cst.Arg(receiver)
        args = list(node.args)
        if position == "first":
            if args:
                state = state.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
            args = [state, *args]
        else:
            if args and not isinstance(args[-1].comma, cst.Comma):
                args[-1] = args[-1].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
            args = [*args, state]
        return node.with_changes(func=cst.parse_expression(f"{alias}.{function}"), args=args)
    return fix


def _class_method_to_function(alias: str, function: str):
    def fix(node: cst.Call) -> cst.Call:
        return node.with_changes(func=cst.parse_expression(f"{alias}.{function}"))
    return fix


def _diff(alias: str):
    def fix(node: cst.BinaryOperation) -> cst.Call:
        # the operator's whitespace becomes the comma's (a comment after `-` stays); the
        # parentheses go, a call needs none of its own, unless a comment is in them
        before = node.operator.whitespace_before
        comma = cst.Comma(whitespace_before=cst.SimpleWhitespace("") if isinstance(before, cst.SimpleWhitespace)
                          else before, whitespace_after=node.operator.whitespace_after)
        parentheses = [*node.lpar, *node.rpar]
        commented = any("#" in cst.Module([]).code_for_node(paren) for paren in parentheses)
        return cst.Call(func=cst.parse_expression(f"{alias}.statelib.diff"),
                        args=[cst.Arg(node.left, comma=comma), cst.Arg(node.right)],
                        lpar=node.lpar if commented else (), rpar=node.rpar if commented else ())
    return fix


class StateMethods(Rule):
    name = NAME
    summary = "`state.filter(...)`, `.flat_state()`, ... -> `nnx.filter_state(state, ...)`, `nnx.to_flat_state(state)`, ..."
    needed_from = "0.10.4"
    safety = "safe"
    documentation = __doc__

    def analyze(self, context: FileContext) -> tuple[list[Site], list[Diagnostic]]:
        sites: list[Site] = []
        for visit in context.visits(ast.BinOp):
            node = visit.node
            if isinstance(node.op, ast.Sub) and all(is_state(context.resolver.type_of(side, visit.scope))
                                                    for side in (node.left, node.right)):
                alias = context.nnx_alias()
                if alias is not None:
                    sites.append(context.site(NAME, node, "BinaryOperation", _diff(alias),
                                              "`state - other` -> `nnx.statelib.diff(state, other)`"))
        for visit in context.visits(ast.Call):
            node = visit.node
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            method = node.func.attr
            if any(isinstance(a, ast.Starred) for a in node.args) and METHODS.get(method, ("", ""))[1] == "last":
                continue
            owner = visit.qualified(node.func.value)
            if owner is not None and flax_api.flax_name(owner) == "State" and method in CLASS_METHODS:
                alias = context.nnx_alias()
                if alias is not None:
                    sites.append(context.site(NAME, node, "Call", _class_method_to_function(alias, CLASS_METHODS[method]),
                                              f"`State.{method}(...)` -> `nnx.{CLASS_METHODS[method]}(...)`"))
                continue
            if method not in METHODS or not is_state(context.resolver.type_of(node.func.value, visit.scope)):
                continue
            function, position = METHODS[method]
            alias = context.nnx_alias()
            if alias is None:
                continue
            sites.append(context.site(NAME, node, "Call", _method_to_function(alias, function, position),
                                      f"`state.{method}(...)` -> `nnx.{function}(...)`"))
        return sites, []


class StateMethodsCommand(RuleCommand):
    """libcst codemod for the state-methods rule."""

    DESCRIPTION = StateMethods.summary
    RULE = StateMethods
