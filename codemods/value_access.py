'''# value-access

## What it does
Rewrites reads and writes of `Variable.value` (and `.raw_value`) on flax NNX Variables:

| old | new |
|---|---|
| `v.value` (read, v holds an array) | `v[...]` |
| `v.value.shape` (also `dtype`, `ndim`, `size`, `T`) | `v.shape` |
| `v.value` (read, anything else) | `v.get_value()` |
| `v.value = y` | `v.set_value(y)` |
| `v.value += 1` (array v; also `-=`, `*=` an int literal) | `v[...] += 1` |
| `v.value op= y` (otherwise) | `v.set_value(v.get_value() op y)` |
| `v.raw_value` / `v.raw_value = y` | `v.get_raw_value()` / `v.set_raw_value(y)` |
| `v += y` on the Variable itself | as `v.value += y` above |

Only receivers shown to be NNX Variables are touched: `self.x` where the class (through
the project index, across files and base classes) binds `x` to a Variable; names bound to
Variable constructors; parameters annotated with Variable types or with Module classes
whose attribute is a Variable; attributes of flax's own layers (`Linear.kernel`,
`BatchNorm.mean`, ...); attribute names the project only ever binds to Variables;
`rngs.<stream>.key` / `.count`; leaves of `nnx.state(...)` / `nnx.split(...)` results.

`v.value['k'] = x`, `v.value.append(x)`, `del v.value` and `.value` targets of unpacking
are reported for a manual fix, not rewritten.

## Why
In-place operators on a Variable itself (`v += 1`) raise NotImplementedError from flax
0.12.0. Flax 0.12.1 deprecated `Variable.value`: every access emits a `DeprecationWarning`. From
0.12.1 reading `.value` also returns a copy of a container value, so
`v.value['k'] = x` and `v.value.append(x)` silently stop persisting.

## Example
```python
import jax.numpy as jnp
from flax import nnx


class Counter(nnx.Module):
    def __init__(self):
        self.count = nnx.Variable(jnp.array(0))
        self.total = nnx.Variable(jnp.zeros(()))

    def __call__(self, x):
        self.count.value += 1
        self.total.value = self.total.value + x.sum()
        return self.total.value / self.count.value
```

## Use instead
```python
import jax.numpy as jnp
from flax import nnx


class Counter(nnx.Module):
    def __init__(self):
        self.count = nnx.Variable(jnp.array(0))
        self.total = nnx.Variable(jnp.zeros(()))

    def __call__(self, x):
        self.count[...] += 1
        self.total.set_value(self.total[...] + x.sum())
        return self.total[...] / self.count[...]
```

## When the fix is unsafe
`v[...] = y` is not the same as `v.value = y`: from flax 0.12.1 it replaces the array only
when `y` has the same shape, dtype and sharding, and otherwise broadcasts `y` into the old
array and casts it (a scalar fills the array, an int is cast to float). Likewise
`v[...] += y` keeps the Variable's dtype where `v.value += y` promotes it (an int Variable
`[...] += 0.5` stays 0). So writes become the exact `set_value(...)` form, and the summary
counts how many were kept exact; `--unsafe-fixes` emits `v[...] = y` / `v[...] op= y`
instead, which you should then confirm with `nnx-migrate verify`.

`v[...]` for reads is used only where the Variable is shown to hold an array (a `jnp`,
`jax.random` or initializer call, an array annotation, a flax layer's parameter);
Variables holding ints, None, dicts or tuples fail with `[...]` and get `get_value()`.

With `--target-version` below 0.12.1 (`get_value` / `set_value` do not exist there) only
the `[...]` reads and the literal increments are rewritten.
'''

from __future__ import annotations

import ast

import libcst as cst

from nnx_migrate import flax_api
from nnx_migrate.bindings import AUGMENTED, syntax_of
from nnx_migrate.command import RuleCommand
from nnx_migrate.infer.explain import _OPERATORS, Explainer
from nnx_migrate.resolve import GRAPH_ELEMENT, IN_PLACE_METHODS, STATE, VariableT
from nnx_migrate.rule import (
    Diagnostic,
    FileContext,
    Rule,
    Site,
    iter_attributes,
    version_at_least,
)

NAME = "value-access"
GET_SET_VERSION = "0.12.1"
PASSTHROUGH_ATTRIBUTES = frozenset({"shape", "dtype", "ndim", "size", "T"})
CONTAINER_MUTATORS = frozenset(
    {"append", "extend", "insert", "pop", "popitem", "update", "setdefault", "clear",
     "remove", "add", "discard", "sort", "reverse", "__setitem__", "__delitem__"}
)
# In-place ops that keep an array's dtype and shape when the right side is an int literal.
_DTYPE_PRESERVING_WITH_INT = (ast.Add, ast.Sub, ast.Mult)
_BINARY_OPERATORS = {
    "AddAssign": cst.Add, "SubtractAssign": cst.Subtract, "MultiplyAssign": cst.Multiply,
    "DivideAssign": cst.Divide, "FloorDivideAssign": cst.FloorDivide, "ModuloAssign": cst.Modulo,
    "PowerAssign": cst.Power, "MatrixMultiplyAssign": cst.MatrixMultiply,
    "BitAndAssign": cst.BitAnd, "BitOrAssign": cst.BitOr, "BitXorAssign": cst.BitXor,
    "LeftShiftAssign": cst.LeftShift, "RightShiftAssign": cst.RightShift,
}
_ATOMS = (cst.Name, cst.Attribute, cst.Call, cst.Subscript, cst.Integer, cst.Float,
          cst.Imaginary, cst.SimpleString, cst.ConcatenatedString, cst.FormattedString,
          cst.List, cst.Tuple, cst.Dict, cst.Set)
URL = "https://flax.readthedocs.io/en/latest/api_reference/flax.nnx/variables.html"


def _ellipsis_subscript(receiver: cst.BaseExpression, like: cst.Attribute | None = None) -> cst.Subscript:
    return cst.Subscript(
        value=receiver,
        slice=[cst.SubscriptElement(slice=cst.Index(value=cst.Ellipsis()))],
        lpar=like.lpar if like is not None else (),
        rpar=like.rpar if like is not None else (),
    )


def _method_call(attribute: cst.Attribute, method: str, args=()) -> cst.Call:
    """`recv.value` -> `recv.<method>(*args)`, keeping the attribute's parentheses."""
    return cst.Call(
        func=attribute.with_changes(attr=cst.Name(method), lpar=(), rpar=()),
        args=list(args),
        lpar=attribute.lpar,
        rpar=attribute.rpar,
    )


def _read_subscript(node: cst.Attribute) -> cst.BaseExpression:
    return _ellipsis_subscript(node.value, node)


def _read_get(method: str):
    return lambda node: _method_call(node, method)


def _strip_value(node: cst.Attribute) -> cst.Attribute:
    """`v.value.shape` -> `v.shape`."""
    return node.with_changes(value=node.value.value)


def _write_set(method: str):
    def fix(node: cst.Assign) -> cst.BaseSmallStatement:
        target = node.targets[0].target
        return cst.Expr(
            value=_method_call(target, method, [cst.Arg(node.value)]),
            semicolon=node.semicolon,
        )
    return fix


def _write_subscript(node: cst.Assign) -> cst.Assign:
    target = node.targets[0].target
    return node.with_changes(
        targets=[node.targets[0].with_changes(target=_ellipsis_subscript(target.value))]
    )


def _aug_subscript(node: cst.AugAssign) -> cst.AugAssign:
    return node.with_changes(target=_ellipsis_subscript(node.target.value))


def _aug_exact(node: cst.AugAssign) -> cst.BaseSmallStatement:
    target = node.target
    operator = _BINARY_OPERATORS[type(node.operator).__name__]()
    right = node.value
    if not isinstance(right, _ATOMS) or right.lpar:
        right = right.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()]) if not right.lpar else right
    combined = cst.BinaryOperation(left=_method_call(target, "get_value"), operator=operator, right=right)
    return cst.Expr(value=_method_call(target, "set_value", [cst.Arg(combined)]), semicolon=node.semicolon)


def _variable_aug_subscript(node: cst.AugAssign) -> cst.AugAssign:
    return node.with_changes(target=_ellipsis_subscript(node.target))


def _variable_aug_exact(node: cst.AugAssign) -> cst.BaseSmallStatement:
    """`v op= y` -> `v.set_value(v.get_value() op y)`, reusing the `.value` form's fix."""
    as_value = cst.Attribute(value=node.target, attr=cst.Name("value"))
    return _aug_exact(node.with_changes(target=as_value))


def _is_pure(node: ast.expr) -> bool:
    """Evaluating `node` twice is the same as once (names, attributes, constant indexes)."""
    if isinstance(node, ast.Name):
        return True
    if isinstance(node, ast.Attribute):
        return _is_pure(node.value)
    if isinstance(node, ast.Subscript):
        return _is_pure(node.value) and isinstance(node.slice, (ast.Constant, ast.Name))
    return False


def _is_int_literal(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and type(node.value) is int


class ValueAccess(Rule):
    name = NAME
    summary = "`Variable.value` -> `v[...]` / `get_value()` / `set_value()`"
    needed_from = GET_SET_VERSION
    safety = "safe; `[...]` writes need --unsafe-fixes"
    documentation = __doc__

    def names_needed_project_wide(self, index) -> set[str]:
        """A subclass that rebinds an attribute, or `module.name = ...` from another file,
        may live in a file that never says flax: those files must be seen too."""
        classes = {info.node.name for info in index.classes.values() if index.is_nnx_class(info.qualname)}
        modules = {file.module.rpartition(".")[2] for file in index.files.values() if file.module}
        return classes | {name for name in modules if name.isidentifier()}

    def analyze(self, context: FileContext) -> tuple[list[Site], list[Diagnostic]]:
        sites: list[Site] = []
        diagnostics: list[Diagnostic] = []
        has_get_set = version_at_least(context, GET_SET_VERSION)
        unsafe = context.settings.unsafe_fixes
        # sites that may be a Variable's are counted as left alone, in files that use nnx
        explainer = Explainer(context.index, context.resolver) if context.file.flax_names_used else None
        for visit in iter_attributes(context, {"value", "raw_value"}):
            node: ast.Attribute = visit.node
            variable = self._variable(context, visit) or context.evidence.variable(context, visit, diagnostics)
            if variable is None:
                if explainer is not None and context.resolver.type_of(node.value, visit.scope) in _NOT_SHOWN:
                    diagnostics.append(context.left_alone(
                        NAME, node, f"`.{node.attr}` left alone: {explainer.reason(node.value, visit.scope, context.file)}"))
                continue
            variable = _with_flax_subscript(context, variable)
            raw = node.attr == "raw_value"
            parent = visit.parent
            what = f"`.{node.attr}`"

            def report(message: str, advice: str) -> None:
                diagnostics.append(context.diagnostic(NAME, node, message, advice, URL))

            if isinstance(node.ctx, ast.Del):
                report(f"`del` of {what} on a Variable", "delete the Variable itself or set a new value with `set_value(...)`")
                continue
            if isinstance(node.ctx, ast.Store):
                if isinstance(parent, ast.Assign) and parent.targets == [node]:
                    if raw:
                        if has_get_set:
                            sites.append(context.site(NAME, parent, "Assign", _write_set("set_raw_value"), f"{what} write -> `set_raw_value(...)`"))
                    elif unsafe and variable.array:
                        sites.append(context.site(NAME, parent, "Assign", _write_subscript, f"{what} write -> `[...] =`", safe=False))
                    elif has_get_set:
                        sites.append(context.site(NAME, parent, "Assign", _write_set("set_value"), f"{what} write -> `set_value(...)`", exact_write=True))
                elif isinstance(parent, ast.AugAssign) and parent.target is node and not raw:
                    literal_increment = (
                        variable.array
                        and isinstance(parent.op, _DTYPE_PRESERVING_WITH_INT)
                        and _is_int_literal(parent.value)
                    )
                    if literal_increment or (unsafe and variable.array):
                        sites.append(context.site(NAME, parent, "AugAssign", _aug_subscript, f"{what} in-place update -> `[...]`", safe=literal_increment))
                    elif has_get_set and _is_pure(node.value):
                        sites.append(context.site(NAME, parent, "AugAssign", _aug_exact, f"{what} in-place update -> `set_value(get_value() op ...)`", exact_write=True))
                    elif has_get_set:
                        report(f"in-place update of {what} on a receiver with side effects", "bind the Variable to a name first, then `v.set_value(v.get_value() op y)`")
                else:
                    report(f"{what} assigned in a form nnx-migrate does not rewrite (unpacking, chained or annotated assignment)", "assign each Variable with `v.set_value(y)`")
                continue
            # a read: `[...]` only if every write in the project keeps an array there
            if variable.array and not context.resolver.writes_keep_array(node.value, variable.cls, visit.scope):
                variable = VariableT(variable.cls, False)
            if isinstance(parent, ast.Subscript) and parent.value is node and not isinstance(parent.ctx, ast.Load):
                report(f"item assignment through {what}: from flax 0.12.1 `.value` returns a copy, so this change is lost",
                       "x = v.get_value(); x[k] = ...; v.set_value(x)")
                continue
            if isinstance(parent, ast.Attribute) and parent.value is node:
                grandparent = context.parent(parent)
                if parent.attr in CONTAINER_MUTATORS and isinstance(grandparent, ast.Call) and grandparent.func is parent:
                    report(f"`.{node.attr}.{parent.attr}(...)`: from flax 0.12.1 `.value` returns a copy, so this change is lost",
                           f"x = v.get_value(); x.{parent.attr}(...); v.set_value(x)")
                    continue
                if not raw and variable.array and parent.attr in PASSTHROUGH_ATTRIBUTES:
                    sites.append(context.site(NAME, parent, "Attribute", _strip_value, f"`.value.{parent.attr}` -> `.{parent.attr}`"))
                    continue
            if raw:
                if has_get_set:
                    sites.append(context.site(NAME, node, "Attribute", _read_get("get_raw_value"), f"{what} read -> `get_raw_value()`"))
            elif variable.array:
                sites.append(context.site(NAME, node, "Attribute", _read_subscript, f"{what} read -> `[...]`"))
            elif has_get_set:
                sites.append(context.site(NAME, node, "Attribute", _read_get("get_value"), f"{what} read -> `get_value()`"))
        sites.extend(self._in_place_on_variables(context, diagnostics, has_get_set, unsafe))
        return sites, diagnostics

    @staticmethod
    def _in_place_on_variables(context: FileContext, diagnostics, has_get_set: bool, unsafe: bool) -> list[Site]:
        """`v += y` on the Variable itself: raises NotImplementedError from flax 0.12.0."""
        sites = []
        for visit in context.visits(ast.AugAssign):
            node = visit.node
            if not isinstance(node, ast.AugAssign) or isinstance(node.target, ast.Subscript):
                continue
            variable = context.resolver.type_of(node.target, visit.scope)
            if variable is None:
                variable = context.evidence.in_place(context, visit, diagnostics)
            if variable is None and context.file.flax_names_used:
                left = _in_place_left_alone(context, node, visit.scope)
                if left is not None:
                    diagnostics.append(left)
            if not isinstance(variable, VariableT) or context.resolver.may_define_before_flax(
                variable.cls, {IN_PLACE_METHODS.get(type(node.op), "__iadd__")}
            ):
                continue  # a class with its own in-place operators: `v op= y` is its
            variable = _with_flax_subscript(context, variable)
            literal_increment = (
                variable.array and isinstance(node.op, _DTYPE_PRESERVING_WITH_INT) and _is_int_literal(node.value)
            )
            if literal_increment or (unsafe and variable.array):
                sites.append(context.site(NAME, node, "AugAssign", _variable_aug_subscript,
                                          "in-place update of a Variable -> `[...]`", safe=literal_increment))
            elif has_get_set and _is_pure(node.target):
                sites.append(context.site(NAME, node, "AugAssign", _variable_aug_exact,
                                          "in-place update of a Variable -> `set_value(get_value() op ...)`",
                                          exact_write=True))
            else:
                diagnostics.append(context.diagnostic(
                    NAME, node, "in-place update of a Variable: raises NotImplementedError from flax 0.12.0",
                    "write `v.set_value(v.get_value() op y)`", URL))
        return sites

    @staticmethod
    def _variable(context: FileContext, visit) -> VariableT | None:
        node: ast.Attribute = visit.node
        receiver = context.resolver.type_of(node.value, visit.scope)
        if isinstance(receiver, VariableT):
            # a subclass (or a mixin before flax's Variable) with its own `value`, or an
            # instance whose class may be swapped: not flax's `value`
            resolver = context.resolver
            if resolver.implements_value(receiver.cls) or resolver.class_swapped(receiver.cls):
                return None
            # attributes set by run-time names may set `value` to anything: still a
            # Variable's, read and written exactly with get_value()/set_value()
            return VariableT(receiver.cls, False) if resolver.stored_by_name(receiver.cls) else receiver
        if receiver in (STATE, GRAPH_ELEMENT) and isinstance(node.value, (ast.Subscript, ast.Attribute)):
            # `state['w'].value` is a leaf only if nothing is looked up below it: on
            # `state.value.kernel`, `value` is a sub-State (MultiHeadAttention has one),
            # and `layers[0].value(x)` calls a submodule.
            parent = visit.parent
            if isinstance(parent, ast.Attribute) and parent.value is node and parent.attr not in PASSTHROUGH_ATTRIBUTES:
                return None
            if isinstance(parent, (ast.Subscript, ast.Call)) and getattr(parent, "value", getattr(parent, "func", None)) is node:
                return None
            # and, in a State, only under a name the project binds only to Variables
            # (`['kernel']`, `.w`): `state.attn.value` is MultiHeadAttention's `value` sub-State
            key = node.value.attr if isinstance(node.value, ast.Attribute) else (
                node.value.slice.value if isinstance(node.value.slice, ast.Constant) else None)
            if receiver == STATE and not (isinstance(key, str) and isinstance(context.resolver.fallback_attribute(key, context.file), VariableT)):
                return None
            return VariableT(f"{flax_api.NNX}.Variable", False)
        return None


class ValueAccessCommand(RuleCommand):
    """libcst codemod: `python -m libcst.tool codemod --no-format value_access.ValueAccessCommand PATH`."""

    DESCRIPTION = ValueAccess.summary
    RULE = ValueAccess


# receiver types whose `.value` may be a Variable's that nnx-migrate could not show: left
# alone and counted (an Enum, a config object, an array: never a Variable, not counted)
_NOT_SHOWN = (None, STATE, GRAPH_ELEMENT)


def _in_place_left_alone(context: FileContext, node: ast.AugAssign, scope):
    """`v += g` in a loop after `v = m.w`: `v` may still be the Variable (flax's in-place
    operators return it), but the loop makes its type recursive, so it is not shown: a
    Variable's `+=` raises NotImplementedError from flax 0.12.0, so it is counted, not silent."""
    if not isinstance(node.target, ast.Name):
        return None
    found = context.resolver.reaching_bindings(node.target, scope)
    if found is None:
        return None
    owner, bindings = found
    for binding in bindings:
        if binding.kind == AUGMENTED:
            continue
        if isinstance(context.resolver.binding_type(binding, owner), VariableT):
            where = getattr(syntax_of(binding), "lineno", None)
            place = f" ({context.file.path.name}:{where})" if where else ""
            return context.left_alone(
                NAME, node, f"in-place update `{node.target.id} {_OPERATORS.get(type(node.op), 'op')}= ...` "
                            f"left alone: the target may be a Variable{place}, but what an earlier update (in a loop) "
                            "made of it is not shown")
    return None


def _with_flax_subscript(context: FileContext, variable: VariableT) -> VariableT:
    """A Variable class with its own `__getitem__` / `__setitem__`: `v[...]` is not `.value`
    there, so only the exact forms (get_value / set_value) are used."""
    if variable.array and context.resolver.may_define_before_flax(variable.cls, {"__getitem__", "__setitem__"}):
        return VariableT(variable.cls, False)
    return variable
