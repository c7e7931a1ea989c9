'''# renamed-attributes

## What it does
Rewrites the attributes flax renamed, where the receiver is shown to be the flax object
that has them:

| old | new | receiver | targets |
|---|---|---|---|
| `v.type` | `type(v)` | a Variable (or a State leaf, a Variable from 0.11) | 0.11.0 to 0.12.0, where it warns |
| `m._object__state`, `m._object__nodes` | `m._pytree__state`, `m._pytree__nodes` | a Module / Pytree | 0.11.1+ |
| `to_nnx.module`, `to_nnx.rngs` | `to_nnx.to_nnx__module`, `to_nnx.to_nnx__rngs` | an `nnx.bridge.ToNNX` | 0.12.0+ |
| `state.to_variable()` | `state.copy()` | a VariableState (a Variable from 0.11) | 0.11.0+ |

Only reads are rewritten; a class of the project that defines the old name itself (or
`__getattr__` before flax's) is left alone.

## Why
0.10's `VariableState.to_variable()` made a new Variable of the state's type with its
value and metadata; from 0.11.0 a VariableState is a Variable, `to_variable` is gone
(AttributeError: the name falls through to the array) and `copy()` makes that new Variable
(`v.to_state()` itself stays: from 0.11 it returns such a copy, silently through 0.12.12;
checked on 0.10.7, 0.11.2, 0.12.8, 0.12.12).
`Variable.type` warns on flax 0.11.0-0.12.0 ("'.type' is deprecated, use
'type(variable)' instead."; its body is `return type(self)`); from 0.12.1 it is silent
again, so only a `--target-version` from 0.11.0 to 0.12.0 asks for the rewrite.
`_object__state` / `_object__nodes` became `_pytree__state` / `_pytree__nodes` in 0.11.1
(the old names are properties returning the new ones, warning from 0.12.0). `ToNNX.module`
and `ToNNX.rngs` warn from 0.12.0 and return `to_nnx__module` / `to_nnx__rngs`.

## Example
```python
import flax.linen as nn
from flax import nnx
from flax.nnx import bridge

model = nnx.Linear(2, 3, rngs=nnx.Rngs(0))
print(model._object__state)
wrapped = bridge.ToNNX(nn.Dense(3), rngs=nnx.Rngs(0))
print(wrapped.module)
```

## Use instead
```python
import flax.linen as nn
from flax import nnx
from flax.nnx import bridge

model = nnx.Linear(2, 3, rngs=nnx.Rngs(0))
print(model._pytree__state)
wrapped = bridge.ToNNX(nn.Dense(3), rngs=nnx.Rngs(0))
print(wrapped.to_nnx__module)
```

## When the fix is unsafe
Never: each new form is what the old property returns. `type` shadowed in the scope
leaves `v.type` alone; older targets than the table's get nothing.
'''

from __future__ import annotations

import ast

import libcst as cst

from nnx_migrate.bindings import EXPR
from nnx_migrate.command import RuleCommand
from nnx_migrate.resolve import STATE, InstanceT, VariableT
from nnx_migrate.rule import Diagnostic, FileContext, Rule, Site, version_at_least

NAME = "renamed-attributes"
NEEDED_FROM = "0.11.0"
TO_NNX = ("flax.nnx.bridge.ToNNX", "flax.nnx.bridge.wrappers.ToNNX")
PRIVATE = {"_object__state": "_pytree__state", "_object__nodes": "_pytree__nodes"}
BRIDGE = {"module": "to_nnx__module", "rngs": "to_nnx__rngs"}


def _rename(new: str):
    def fix(node: cst.Attribute) -> cst.Attribute:
        return node.with_changes(attr=cst.Name(new))
    return fix


def _type_of(node: cst.Attribute) -> cst.Call:
    return cst.Call(func=cst.Name("type"), args=[cst.Arg(node.value.with_changes(lpar=[], rpar=[])
                                                         if isinstance(node.value, (cst.Name, cst.Attribute)) else node.value)],
                    lpar=node.lpar, rpar=node.rpar)


class RenamedAttributes(Rule):
    name = NAME
    summary = ("`v.type` -> `type(v)` (targets 0.11-0.12.0); `_object__state` -> `_pytree__state`; `ToNNX.module` -> "
               "`to_nnx__module`; `state.to_variable()` -> `state.copy()`")
    needed_from = NEEDED_FROM
    safety = "safe"
    documentation = __doc__

    def analyze(self, context: FileContext) -> tuple[list[Site], list[Diagnostic]]:
        sites: list[Site] = []
        diagnostics: list[Diagnostic] = []
        text = context.file.text
        resolver = context.resolver
        target_type = version_at_least(context, "0.11.0") and not version_at_least(context, "0.12.1")
        if target_type and ".type" in text:
            for visit in context.attribute_reads("type"):
                node = visit.node
                found = resolver.type_of(node.value, visit.scope)
                if isinstance(found, VariableT) and visit.scope.find("type") is None \
                        and not resolver.may_define_before_flax(found.cls, {"type", "__getattr__", "__getattribute__"}):
                    sites.append(context.site(NAME, node, "Attribute", _type_of, "`v.type` -> `type(v)`"))
        if version_at_least(context, "0.11.1") and "_object__" in text:
            for old, new in PRIVATE.items():
                for visit in context.attribute_reads(old):
                    found = resolver.type_of(visit.node.value, visit.scope)
                    if isinstance(found, InstanceT) and context.index.is_nnx_class(found.cls) \
                            and self._keeps(context, found.cls, old):
                        sites.append(context.site(NAME, visit.node, "Attribute", _rename(new), f"`.{old}` -> `.{new}`"))
        if version_at_least(context, "0.12.0") and ("ToNNX" in text or "bridge" in text):
            for old, new in BRIDGE.items():
                for visit in context.attribute_reads(old):
                    if self._is_to_nnx(context, visit.node.value, visit.scope, old):
                        sites.append(context.site(NAME, visit.node, "Attribute", _rename(new), f"`ToNNX.{old}` -> `.{new}`"))
        if version_at_least(context, "0.11.0") and ".to_variable()" in text:
            for visit in context.attribute_reads("to_variable"):
                node, parent = visit.node, visit.parent
                if isinstance(parent, ast.Call) and parent.func is node and not parent.args and not parent.keywords \
                        and isinstance(found := self._variable_state(context, node.value, visit.scope), VariableT) \
                        and not resolver.may_define_before_flax(found.cls, {"to_variable", "copy", "__getattr__"}):
                    sites.append(context.site(NAME, node, "Attribute", _rename("copy"), "`state.to_variable()` -> `state.copy()`"))
                elif isinstance(parent, ast.Call) and parent.func is node and resolver.type_of(node.value, visit.scope) == STATE:
                    diagnostics.append(context.diagnostic(
                        NAME, parent, "`to_variable()` of a VariableState is gone from flax 0.11.0 (a State leaf is a Variable)",
                        "where this is a State's leaf, `leaf.copy()` makes the Variable `to_variable()` made"))
        return sites, diagnostics

    @staticmethod
    def _variable_state(context: FileContext, receiver: ast.expr, scope):
        """The Variable type of a VariableState: an expression typed a Variable, `v.to_state()`
        of one, or a name whose only reaching binding is such a call."""
        resolver = context.resolver
        found = resolver.type_of(receiver, scope)
        if found is not None:
            return found
        if isinstance(receiver, ast.Name):
            assigned = _only_assignment(context, receiver, scope)
            if assigned is None:
                return None
            scope, receiver = assigned
        if isinstance(receiver, ast.Call) and isinstance(receiver.func, ast.Attribute) and receiver.func.attr == "to_state" \
                and not receiver.args and not receiver.keywords:
            found = resolver.type_of(receiver.func.value, scope)
            if isinstance(found, VariableT) and not resolver.may_define_before_flax(found.cls, {"to_state", "__getattr__"}):
                return found
        return None

    @staticmethod
    def _keeps(context: FileContext, cls: str, attr: str) -> bool:
        """`attr` of an instance of cls is flax's own."""
        return not context.resolver.may_define_before_flax(cls, {attr, "__getattr__", "__getattribute__"}) \
            and not context.resolver.replaces_member(cls, attr)

    def _is_to_nnx(self, context: FileContext, receiver: ast.expr, scope, attr: str) -> bool:
        """An `nnx.bridge.ToNNX` (or a project subclass keeping `attr`): its type, or a
        name whose only reaching binding is a call of the class."""
        found = context.resolver.type_of(receiver, scope)
        if isinstance(found, InstanceT):
            mro = context.index.mro(found.cls)
            return any(c in mro for c in TO_NNX) and self._keeps(context, found.cls, attr)
        if found is not None or not isinstance(receiver, ast.Name):
            return False
        assigned = _only_assignment(context, receiver, scope)
        if assigned is None or not isinstance(assigned[1], ast.Call):
            return False
        qualified = context.resolver.qualified(assigned[1].func, assigned[0])
        return qualified in TO_NNX and not context.resolver.replaces_member(qualified, attr)


class RenamedAttributesCommand(RuleCommand):
    """libcst codemod for the renamed-attributes rule."""

    DESCRIPTION = RenamedAttributes.summary
    RULE = RenamedAttributes


def _only_assignment(context: FileContext, name: ast.Name, scope):
    """(its scope, the value) where one assignment `name = value` is all that reaches `name`."""
    reaching = context.resolver.reaching_bindings(name, scope)
    if not reaching or len(reaching[1]) != 1 or reaching[1][0].kind != EXPR:
        return None
    return reaching[0], reaching[1][0].value
