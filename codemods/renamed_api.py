'''# renamed-api

## What it does
Renames flax NNX functions and classes that were renamed or removed, where the migrated
code's `--target-version` has the new name:

| old | new | new name exists from |
|---|---|---|
| `nnx.VariableState` | `nnx.Variable` | 0.11.0 (the old name warns from 0.11.0) |
| `nnx.is_data_type` | `nnx.is_data` | 0.12.0 (the old name is removed in 0.12.0) |
| `nnx.set_mode` | `nnx.view` | 0.12.4 (the old name is removed in 0.12.4) |
| `nnx.set_mode_info` | `nnx.view_info` | 0.12.4 (likewise) |
| `nnx.eval_mode(m, ...)` | `nnx.view(m, ..., deterministic=True, use_running_average=True, raise_if_not_found=False)` | 0.12.4 (0.12.1-0.12.3's `eval_mode` is that `set_mode` call) |
| `nnx.train_mode(m, ...)` | `nnx.view(m, ..., deterministic=False, use_running_average=False, raise_if_not_found=False)` | 0.12.4 (likewise) |
| `nnx.pure` | `nnx.as_pure` | 0.12.7 |
| `nnx.abstract_with_sharding` | `nnx.as_abstract` | 0.12.7 |
| `nnx.vars_as` | `nnx.with_vars` | 0.12.8 |

Both `nnx.<old>` and names imported with `from flax.nnx import <old>` are rewritten (the
import too); `eval_mode` / `train_mode` only where called as `nnx.eval_mode(...)` (a name
imported from `flax.nnx`, or a use that is not a call, is reported). From 0.12.4 `nnx.view`
calls a Module's `set_view` method where 0.12.1-0.12.3's `nnx.set_mode` called `set_mode`
(flax's Dropout, BatchNorm and MultiHeadAttention renamed theirs, same parameters): a
project Module's own `def set_mode(...)` and a call `layer.set_mode(...)` on a Module are
reported (an own `set_mode` is no longer called by `nnx.view`; rename it `set_view`. On
0.12.4 `view` passes every keyword and reads the unused ones from the return value, as
`set_mode` did; by 0.12.8 it passes only the keywords the method names unless it takes
`**kwargs`, and reads no return value: a `set_view(self, ..., **kwargs)` returning
`kwargs` works on both; checked in the 0.12.3, 0.12.4 and 0.12.8 sources). `from flax.nnx.object import Object` becomes `from flax.nnx import Object`
(the module `flax.nnx.object` is gone from 0.11.1: ModuleNotFoundError; `flax.nnx.Object`
exists in every release from 0.10 to 0.12.12); an import of other names from it is left
as it is. `nnx.shard_map(..., check_rep=x)` becomes `check_vma=x` for targets 0.12.1+
(flax 0.12.1 moved to `jax.shard_map`, whose flag this is; `check_rep=` raises TypeError
there; checked: the same results on 0.11.2 with `check_rep=False` and 0.12.8 / 0.12.12
with `check_vma=False`).

`nnx.RNN(cell, a, b, ...)` passes its options by name, in 0.10's order (`time_major`,
`return_carry`, `reverse`, `keep_order`, `unroll`): they are keyword-only from 0.11.0 (a
TypeError by position; checked on 0.10.7, 0.11.2, 0.12.0, 0.12.8, 0.12.12: the keyword form
runs on all of them). A call passing more positions (0.10's `rngs`, whose `None` means
something else from 0.11) or `*args` is reported.

`nnx.register_variable_name_type_pair(name, typ, overwrite)` (Linen interop, removed in
0.10.4) becomes `nnx.register_variable_name(name, typ, overwrite=overwrite)` where the call
is a statement (the new function returns `typ`, the old one None; otherwise the same
body: checked in the 0.10.3 and 0.10.7, 0.12.8 sources); an import of the old name, or a
call whose value is used, is reported.

## Why
The old names emit `DeprecationWarning` (or no longer exist) in flax 0.12.

## Example
```python
from flax import nnx

state = nnx.state(nnx.Linear(2, 3, rngs=nnx.Rngs(0)))
for leaf in nnx.to_flat_state(state).leaves:
    if isinstance(leaf, nnx.VariableState):
        pure = nnx.pure(state)
```

## Use instead
```python
from flax import nnx

state = nnx.state(nnx.Linear(2, 3, rngs=nnx.Rngs(0)))
for leaf in nnx.to_flat_state(state).leaves:
    if isinstance(leaf, nnx.Variable):
        pure = nnx.as_pure(state)
```

## When the fix is unsafe
Never for targets that have the new name. `nnx.VariableState` and `nnx.Variable` were
different classes in 0.10 (State leaves were VariableStates); from 0.11 they are one, so
the rename is only made for `--target-version` 0.11 or later.
'''

from __future__ import annotations

import ast

import libcst as cst

from nnx_migrate import flax_api
from nnx_migrate.command import RuleCommand
from nnx_migrate.cst_build import keyword_argument, with_keyword
from nnx_migrate.resolve import InstanceT
from nnx_migrate.rule import Diagnostic, FileContext, Rule, Site, version_at_least

NAME = "renamed-api"
URL = "https://flax.readthedocs.io/en/latest/api_reference/flax.nnx/module.html"
RENAMES = {
    "VariableState": ("Variable", "0.11.0"),
    "is_data_type": ("is_data", "0.12.0"),
    "set_mode": ("view", "0.12.4"),
    "set_mode_info": ("view_info", "0.12.4"),
    "pure": ("as_pure", "0.12.7"),
    "abstract_with_sharding": ("as_abstract", "0.12.7"),
    "vars_as": ("with_vars", "0.12.8"),
}


# 0.12.1-0.12.3's mode functions: `set_mode(node, only=only, raise_if_not_found=False, **these, **kwargs)`
MODES = {
    "eval_mode": {"deterministic": "True", "use_running_average": "True", "raise_if_not_found": "False"},
    "train_mode": {"deterministic": "False", "use_running_average": "False", "raise_if_not_found": "False"},
}
MODES_FROM = "0.12.4"
# nnx.RNN's options after `cell`, positional in 0.10 and keyword-only from 0.11.0 (TypeError
# when passed by position); up to `unroll`: 0.10's `rngs` (6th) had another meaning of None
RNN_OPTIONS = ("time_major", "return_carry", "reverse", "keep_order", "unroll")
RNN_MORE = ("rngs", "state_axes", "broadcast_rngs")


def _rnn_keywords(node: cst.Call) -> cst.Call:
    args = list(node.args)
    for i in range(1, len(args)):
        if args[i].keyword is None and not args[i].star:
            args[i] = with_keyword(args[i], RNN_OPTIONS[i - 1])
    return node.with_changes(args=args)


def _view_call(mode: str) -> str:
    """What `nnx.<mode>(m)` is, written out: `nnx.view(m, deterministic=True, ...)`."""
    return f"nnx.view(m, {', '.join(f'{k}={v}' for k, v in MODES[mode].items())})"


def _mode_to_view(mode: str):
    def fix(node: cst.Call) -> cst.Call:
        if not (isinstance(node.func, cst.Attribute) and node.func.attr.value == mode):
            return node  # `nnx.eval_mode(m)(x)`: the outer call starts here too; the inner one is fixed
        at = next((i for i, a in enumerate(node.args) if a.keyword is not None or a.star), len(node.args))
        added = [keyword_argument(name, cst.parse_expression(value)) for name, value in MODES[mode].items()]
        args = [*node.args[:at], *added, *node.args[at:]]
        args = [a.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
                if a.comma is cst.MaybeSentinel.DEFAULT and i < len(args) - 1 else a for i, a in enumerate(args)]
        return node.with_changes(func=node.func.with_changes(attr=cst.Name("view")), args=args)
    return fix


def _register_name(node: cst.Call) -> cst.Call:
    args = list(node.args)
    if len(args) == 3 and args[2].keyword is None:
        args[2] = with_keyword(args[2], "overwrite")
    return node.with_changes(func=node.func.with_changes(attr=cst.Name("register_variable_name")), args=args)


def _rename_attribute(new: str):
    return lambda node: node.with_changes(attr=cst.Name(new))


def _rename_name(new: str):
    return lambda node: node.with_changes(value=new)


def _rename_import(renames: dict[str, str]):
    def fix(node: cst.ImportFrom) -> cst.ImportFrom:
        names = []
        for alias in node.names:
            old = alias.name.value if isinstance(alias.name, cst.Name) else None
            if old in renames:
                alias = alias.with_changes(name=cst.Name(renames[old]))
            names.append(alias)
        return node.with_changes(names=names)
    return fix


def _check_vma(node: cst.Call) -> cst.Call:
    return node.with_changes(args=[
        a.with_changes(keyword=cst.Name("check_vma")) if a.keyword is not None and a.keyword.value == "check_rep" else a
        for a in node.args])


def _module_flax_nnx(node: cst.ImportFrom) -> cst.ImportFrom:
    return node.with_changes(module=cst.parse_expression("flax.nnx"))


class RenamedApi(Rule):
    name = NAME
    summary = "`nnx.VariableState`, `nnx.is_data_type`, `nnx.pure`, ... -> their new names"
    needed_from = "0.11.0"
    safety = "safe"
    documentation = __doc__

    def analyze(self, context: FileContext) -> tuple[list[Site], list[Diagnostic]]:
        sites: list[Site] = []
        active = {old: new for old, (new, since) in RENAMES.items() if version_at_least(context, since)}
        if "flax.nnx.object" in context.file.text:
            for visit in context.visits(ast.ImportFrom):
                node = visit.node
                if node.module == "flax.nnx.object" and not node.level and all(a.name == "Object" for a in node.names):
                    sites.append(context.site(NAME, node, "ImportFrom", _module_flax_nnx,
                                              "`from flax.nnx.object import Object` -> `from flax.nnx import Object`"))
        if version_at_least(context, "0.12.1") and "check_rep" in context.file.text:
            for visit in context.visits(ast.Call):
                node = visit.node
                if any(k.arg == "check_rep" for k in node.keywords) and not any(k.arg == "check_vma" for k in node.keywords) \
                        and flax_api.canonical(visit.qualified(node.func) or "") in (f"{flax_api.NNX}.shard_map", "flax.nnx.shard_map"):
                    sites.append(context.site(NAME, node, "Call", _check_vma, "`nnx.shard_map(check_rep=)` -> `check_vma=`"))
        diagnostics: list[Diagnostic] = []
        if "RNN" in context.file.text:
            self._rnn_positions(context, sites, diagnostics)
        if "register_variable_name_type_pair" in context.file.text and version_at_least(context, "0.10.4"):
            self._register_pair(context, sites, diagnostics)
        if version_at_least(context, MODES_FROM) and ("_mode" in context.file.text or "set_mode" in context.file.text):
            self._modes(context, sites, diagnostics)
        if not active:
            return sites, diagnostics
        imported: dict[str, str] = {}  # local name -> old flax name, for `from flax.nnx import old`
        for visit in context.visits(ast.ImportFrom, ast.Attribute):
            node = visit.node
            if isinstance(node, ast.ImportFrom) and node.module in ("flax.nnx", "flax.experimental.nnx") and not node.level:
                found = {a.name: active[a.name] for a in node.names if a.name in active}
                if found and not any(a.asname for a in node.names if a.name in found):
                    imported.update({name: name for name in found})
                    sites.append(context.site(NAME, node, "ImportFrom", _rename_import(found),
                                              f"import of {', '.join(sorted(found))} renamed"))
                continue
            if isinstance(node, ast.Attribute) and node.attr in active:
                qualified = visit.qualified(node) or ""
                if flax_api.canonical(qualified) == f"{flax_api.NNX}.{node.attr}" or qualified in (
                    f"flax.nnx.{node.attr}", f"flax.experimental.nnx.{node.attr}"
                ):
                    new = active[node.attr]
                    sites.append(context.site(NAME, node, "Attribute", _rename_attribute(new), f"`nnx.{node.attr}` -> `nnx.{new}`"))
        if imported:
            for visit in context.visits(ast.Name):
                node = visit.node
                if isinstance(node, ast.Name) and node.id in imported and visit.scope.find(node.id) is context.resolver.module_scope(context.file):
                    new = active[imported[node.id]]
                    sites.append(context.site(NAME, node, "Name", _rename_name(new), f"`{node.id}` -> `{new}`"))
        return sites, diagnostics

    @staticmethod
    def _register_pair(context: FileContext, sites: list[Site], diagnostics: list[Diagnostic]) -> None:
        old, new = "register_variable_name_type_pair", "register_variable_name"
        advice = f"call `nnx.{new}(name, typ, overwrite=...)` (0.10.4+; `overwrite` is keyword-only)"
        for visit in context.visits(ast.Call, ast.ImportFrom):
            node = visit.node
            if isinstance(node, ast.ImportFrom):
                if flax_api.canonical_module(node.module or "") in (flax_api.NNX, f"{flax_api.NNX}.variablelib") \
                        and any(a.name == old for a in node.names):
                    diagnostics.append(context.diagnostic(NAME, node, f"`{old}` is gone from flax 0.10.4", advice, URL))
                continue
            qualified = flax_api.canonical_module(visit.qualified(node.func) or "")
            if qualified not in (f"{flax_api.NNX}.{old}", f"{flax_api.NNX}.variablelib.{old}"):
                continue
            shape = [k.arg for k in node.keywords] in ([], ["overwrite"]) and 2 <= len(node.args) <= 3 - len(node.keywords)
            if isinstance(node.func, ast.Attribute) and isinstance(visit.parent, ast.Expr) and shape \
                    and not any(isinstance(a, ast.Starred) for a in node.args):
                sites.append(context.site(NAME, node, "Call", _register_name,
                                          f"`nnx.{old}(...)` -> `nnx.{new}(..., overwrite=...)`"))
            else:
                diagnostics.append(context.diagnostic(NAME, node, f"`{old}` is gone from flax 0.10.4", advice, URL))

    @staticmethod
    def _rnn_positions(context: FileContext, sites: list[Site], diagnostics: list[Diagnostic]) -> None:
        """`nnx.RNN(cell, True)` -> `nnx.RNN(cell, time_major=True)`: the keyword form runs on every release."""
        for visit in context.visits(ast.Call):
            node = visit.node
            if len(node.args) < 2 or flax_api.canonical_module(visit.qualified(node.func) or "") != f"{flax_api.NNX}.RNN":
                continue
            if any(isinstance(a, ast.Starred) for a in node.args) or len(node.args) > 1 + len(RNN_OPTIONS):
                diagnostics.append(context.diagnostic(
                    NAME, node, "`nnx.RNN`'s options are keyword-only from flax 0.11.0 (TypeError by position)",
                    f"pass them by name: {', '.join(RNN_OPTIONS + RNN_MORE)} (0.10's order)", URL))
                continue
            names = RNN_OPTIONS[:len(node.args) - 1]
            if any(k.arg in names or k.arg is None for k in node.keywords):
                continue  # a TypeError already, or `**options` that may name them
            sites.append(context.site(NAME, node, "Call", _rnn_keywords,
                                      f"`nnx.RNN(cell, ...)` options by name: {', '.join(names)}"))

    @staticmethod
    def _modes(context: FileContext, sites: list[Site], diagnostics: list[Diagnostic]) -> None:
        """`nnx.eval_mode` / `nnx.train_mode` -> `nnx.view(...)`; own and called `set_mode` methods reported."""
        def report(node, message, advice):
            diagnostics.append(context.diagnostic(NAME, node, message, advice, URL))

        called = set()
        for visit in context.visits(ast.Call):
            node = visit.node
            func = node.func
            mode = flax_api.canonical_module(visit.qualified(func) or "").removeprefix(f"{flax_api.NNX}.")
            if mode in MODES and isinstance(func, ast.Attribute) and not any(k.arg in MODES[mode] for k in node.keywords):
                called.add(id(func))
                sites.append(context.site(NAME, node, "Call", _mode_to_view(mode), f"`nnx.{mode}(m)` -> `{_view_call(mode)}`"))
            elif isinstance(func, ast.Attribute) and func.attr == "set_mode":
                owner = context.resolver.type_of(func.value, visit.scope)
                if isinstance(owner, InstanceT) and context.index.is_nnx_class(owner.cls):
                    report(node, "`set_mode` is `set_view` from flax 0.12.4 (0.12.1-0.12.3's name)",
                           "call `set_view(...)` (it returns None, where `set_mode` returned the unused keywords), "
                           "or `nnx.view(layer, ...)`")
        for visit in context.visits(ast.Attribute, ast.Name, ast.ImportFrom):
            node = visit.node
            if isinstance(node, ast.ImportFrom):
                if flax_api.canonical_module(node.module or "") == flax_api.NNX and not node.level:
                    for alias in node.names:
                        if alias.name in MODES:
                            report(node, f"`nnx.{alias.name}` is gone from flax 0.12.4",
                                   f"call `{_view_call(alias.name)}` instead")
                continue
            if isinstance(node, ast.Name) and (node.id not in MODES or not isinstance(node.ctx, ast.Load)):
                continue  # an alias bound to it (`f = nnx.train_mode`) is reported where it is bound
            mode = flax_api.canonical_module(visit.qualified(node) or "").removeprefix(f"{flax_api.NNX}.")
            if mode in MODES and id(node) not in called and not isinstance(visit.parent, ast.Attribute):
                report(node, f"`nnx.{mode}` is gone from flax 0.12.4",
                       f"call `{_view_call(mode)}` instead")
        for visit in context.visits(ast.ClassDef):
            info = context.class_info(visit.node)
            if info is not None and "set_mode" in info.methods and context.index.is_nnx_class(info.qualname):
                report(info.methods["set_mode"], "`nnx.view` calls `set_view` from flax 0.12.4: this `set_mode` is no longer called",
                       "rename it `set_view`, keeping `**kwargs` and `return kwargs` (0.12.4 reads the unused "
                       "keywords from it; 0.12.8 passes only the named ones unless it takes `**kwargs`)")


class RenamedApiCommand(RuleCommand):
    """libcst codemod for the renamed-api rule."""

    DESCRIPTION = RenamedApi.summary
    RULE = RenamedApi
