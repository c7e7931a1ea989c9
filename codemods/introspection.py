'''# introspection-functions

## What it does
Turns the Module introspection methods into the module-level functions:
`m.iter_modules()` becomes `nnx.iter_modules(m)` and `m.iter_children()` becomes
`nnx.iter_children(m)`, where `m` is shown to be a flax NNX Module (`self` in a Module
class, a name bound to a Module constructor, a parameter annotated with a Module class,
an attribute the project binds to a Module, the result of a call annotated to return
one). `from flax import nnx` is added when the file has no `nnx` yet; an existing alias
(`import flax.nnx as fnnx`) is used as it is.

## Why
Flax 0.12.1 deprecated the methods: each call emits "The 'm.iter_modules()' method is
deprecated; use the 'nnx.iter_modules(m)' function instead."

## Example
```python
from flax import nnx

model = nnx.Sequential(nnx.Linear(2, 4, rngs=nnx.Rngs(0)), nnx.relu)
for path, module in model.iter_modules():
    print(path, type(module).__name__)
```

## Use instead
```python
from flax import nnx

model = nnx.Sequential(nnx.Linear(2, 4, rngs=nnx.Rngs(0)), nnx.relu)
for path, module in nnx.iter_modules(model):
    print(path, type(module).__name__)
```

## When the fix is unsafe
Never: the functions do what the methods did. They do not exist before flax 0.12.1, so
nothing is rewritten for an older `--target-version`. `pkgutil.iter_modules()` and any
other object's `iter_modules` are left alone. Note that on 0.12 `nnx.List` and `nnx.Dict`
are Modules themselves, so code that counts modules sees more of them after the
module-containers rule wraps lists (that rule reports such places).
'''

from __future__ import annotations

import ast

import libcst as cst

from nnx_migrate.command import RuleCommand
from nnx_migrate.infer.explain import Explainer
from nnx_migrate.resolve import InstanceT
from nnx_migrate.rule import Diagnostic, FileContext, Rule, Site, version_at_least

NAME = "introspection-functions"
METHODS = ("iter_modules", "iter_children")
NEEDED_FROM = "0.12.1"


def _to_function(alias: str, method: str):
    def fix(node: cst.Call) -> cst.Call:
        receiver = node.func.value
        return cst.Call(
            func=cst.parse_expression(f"{alias}.{method}"),
            args=[cst.Arg(receiver.with_changes(lpar=(), rpar=()) if _parenthesized_name(receiver) else receiver)],
            lpar=node.lpar,
            rpar=node.rpar,
        )
    return fix


def _parenthesized_name(node: cst.BaseExpression) -> bool:
    return isinstance(node, (cst.Name, cst.Attribute)) and bool(node.lpar)


class IntrospectionFunctions(Rule):
    name = NAME
    summary = "`m.iter_modules()` / `m.iter_children()` -> `nnx.iter_modules(m)` / `nnx.iter_children(m)`"
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
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in METHODS
                and not node.args
                and not node.keywords
            ):
                continue
            receiver = context.resolver.type_of(node.func.value, visit.scope)
            is_module = isinstance(receiver, InstanceT) and self._flax_method(context, receiver.cls, node.func.attr)
            if not is_module and isinstance(node.func.value, ast.Name):
                checked = context.resolver.narrowed_classes(node.func.value, visit.scope)
                is_module = bool(checked) and all(self._flax_method(context, c, node.func.attr) for c in checked)
            if not is_module and receiver is None:
                is_module = context.evidence.walks_module(context, node, visit.scope)
            if not is_module:
                if receiver is None and context.file.flax_names_used:
                    # may be a Module's walk (deprecated from 0.12.1): counted as left alone, with why
                    diagnostics.append(context.left_alone(
                        NAME, node, f"`.{node.func.attr}()` left alone: "
                                    f"{Explainer(context.index, context.resolver).reason(node.func.value, visit.scope, context.file)}"))
                continue
            method = node.func.attr
            alias = context.nnx_alias()
            if alias is None:
                diagnostics.append(context.diagnostic(
                    NAME, node, f"`.{method}()` is deprecated, but the name `nnx` is taken in this file",
                    f"import flax.nnx under some name and call `<name>.{method}(m)`",
                ))
                continue
            sites.append(context.site(NAME, node, "Call", _to_function(alias, method),
                                      f"`m.{method}()` -> `{alias}.{method}(m)`"))
        return sites, diagnostics

    @staticmethod
    def _flax_method(context: FileContext, cls: str, method: str) -> bool:
        """`<instance of cls>.method` is flax's Module method: not overridden, shadowed by
        an instance attribute, or routed elsewhere by `__getattribute__`."""
        return context.index.is_nnx_class(cls) and not context.resolver.replaces_member(cls, method)


class IntrospectionFunctionsCommand(RuleCommand):
    """libcst codemod for the introspection-functions rule."""

    DESCRIPTION = IntrospectionFunctions.summary
    RULE = IntrospectionFunctions
