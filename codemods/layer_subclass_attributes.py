'''# layer-subclass-attributes

## What it does
A subclass of `nnx.Linear`, `nnx.LinearGeneral`, `nnx.Einsum`, `nnx.Conv` or
`nnx.ConvTranspose` whose own `__init__` sets the layer's attributes itself, never running
the layer's `__init__`, and keeps the layer's `__call__` (inherited, or called as
`nnx.Conv.__call__(self, x)`), and a Module that runs a layer's `__call__` on itself
(`nnx.Conv.__call__(self, x)` in a class that is no Conv: it holds the same attributes),
get the attribute that flax 0.12's `__call__` reads and its
`__init__` sets: `preferred_element_type = None`, at class level.

## Why
flax 0.12.0 added `preferred_element_type` to these layers: their `__init__` stores it
(default None) and their `__call__` reads `self.preferred_element_type`. A subclass that
builds the layer's attributes by hand (to share kernel weights, say) has no such
attribute, and its first call raises `AttributeError: 'ConvSym' object has no attribute
'preferred_element_type'` on 0.12. With None the layer passes no `preferred_element_type`
to `conv_general_dilated` / `dot_general`, as 0.11's `__call__` did.

## Example
```python
import jax
import jax.numpy as jnp
from flax import nnx


class SharedConv(nnx.Conv):
    def __init__(self, features: int, *, rngs: nnx.Rngs):
        self.kernel = nnx.Param(jnp.ones((3, features, features)))
        self.bias = None
        self.kernel_size = (3,)
        self.in_features = self.out_features = features
        self.strides, self.padding = 1, "SAME"
        self.input_dilation = self.kernel_dilation = self.feature_group_count = 1
        self.use_bias, self.mask, self.dtype, self.precision = False, None, None, None
        self.conv_general_dilated = jax.lax.conv_general_dilated
        self.promote_dtype = nnx.nn.dtypes.promote_dtype
```

## Use instead
```python
import jax
import jax.numpy as jnp
from flax import nnx


class SharedConv(nnx.Conv):
    preferred_element_type = None  # read by flax 0.12's __call__; this __init__ does not run Conv's

    def __init__(self, features: int, *, rngs: nnx.Rngs):
        self.kernel = nnx.Param(jnp.ones((3, features, features)))
        self.bias = None
        self.kernel_size = (3,)
        self.in_features = self.out_features = features
        self.strides, self.padding = 1, "SAME"
        self.input_dilation = self.kernel_dilation = self.feature_group_count = 1
        self.use_bias, self.mask, self.dtype, self.precision = False, None, None, None
        self.conv_general_dilated = jax.lax.conv_general_dilated
        self.promote_dtype = nnx.nn.dtypes.promote_dtype
```

A `self.bias = nnx.Param(None)` in such a class is reported: 0.11's `__call__` read
`self.bias.value` (None: no bias), 0.12's reads `self.bias[...]`, which raises TypeError on
None. `self.bias = None` is what the layer itself stores without a bias, but it removes
the `bias` entry from the state (a checkpoint's paths), so it is not rewritten.

## When the fix is unsafe
Never, where it applies: only a class whose own `__init__` calls no `__init__` and no
`super()` at all, whose every base but flax's own is a class of the project, and whose
classes never bind `preferred_element_type` (in a method, at class level in any form, as
a property) nor define `__getattr__`, gets it; the class attribute is
what the layer's `__init__` would have stored. It is not added for a `--target-version`
before 0.12.0 (nothing reads it there).
'''

from __future__ import annotations

import ast

import libcst as cst

from nnx_migrate.command import RuleCommand
from nnx_migrate.flax_api import NNX
from nnx_migrate.rule import Diagnostic, FileContext, Rule, Site, version_at_least

NAME = "layer-subclass-attributes"
NEEDED_FROM = "0.12.0"
ATTRIBUTE = "preferred_element_type"
LAYERS = frozenset(f"{NNX}.{name}" for name in ("Linear", "LinearGeneral", "Einsum", "Conv", "ConvTranspose"))
URL = "https://flax.readthedocs.io/en/latest/api_reference/flax.nnx/nn/linear.html"
COMMENT = "# read by flax 0.12's __call__; this __init__ does not run {}'s"


def _add_attribute(layer: str):
    def fix(node: cst.ClassDef) -> cst.ClassDef:
        body = list(node.body.body)
        statement = cst.SimpleStatementLine(
            [cst.Assign([cst.AssignTarget(cst.Name(ATTRIBUTE))], cst.Name("None"))],
            trailing_whitespace=cst.TrailingWhitespace(whitespace=cst.SimpleWhitespace("  "),
                                                       comment=cst.Comment(COMMENT.format(layer)),
                                                       newline=cst.Newline()))
        at = 1 if body and _is_docstring(body[0]) else 0
        if at < len(body) and not body[at].leading_lines:  # a blank line before the `def` after it
            body[at] = body[at].with_changes(leading_lines=[cst.EmptyLine(indent=False)])
        return node.with_changes(body=node.body.with_changes(body=body[:at] + [statement] + body[at:]))
    return fix


def _is_docstring(statement) -> bool:
    return (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1
            and isinstance(statement.body[0], cst.Expr) and isinstance(statement.body[0].value, cst.SimpleString))


class LayerSubclassAttributes(Rule):
    name = NAME
    summary = "a Linear/Conv/Einsum subclass that bypasses the layer's `__init__` -> `preferred_element_type = None`"
    needed_from = NEEDED_FROM
    safety = "safe"
    documentation = __doc__

    def analyze(self, context: FileContext) -> tuple[list[Site], list[Diagnostic]]:
        sites: list[Site] = []
        diagnostics: list[Diagnostic] = []
        if not version_at_least(context, NEEDED_FROM) or context.file.tree is None:
            return sites, []
        index = context.index
        for info in index.file_classes(context.file):
            order = index.mro(info.qualname)
            inherited = next((name for name in order if name in LAYERS), None)
            borrowed = self._borrowed_call(context, info)
            layer = inherited or borrowed
            if layer is None or info.node.body is None:
                continue
            diagnostics.extend(self._none_bias(context, info, layer))
            # every class of the MRO but flax's own, also those after the layer (a mixin
            # may give the attribute a value the added None would hide)
            project = [index.lookup_class(name) for name in order if name != "object" and not name.startswith("flax.")]
            if any(c is None for c in project):
                continue  # a base outside the project: its __init__ and attributes are not seen
            init = info.methods.get("__init__")
            if init is None or _calls_an_init(init):
                continue  # the layer's own __init__ runs (and sets the attribute), or a base's
                # __init__ does, which gets the attribute where it bypasses the layer's
            if any(ATTRIBUTE in c.attribute_bindings or _class_level(c.node) for c in project):
                continue
            if inherited and borrowed is None and any(_defines_call(c) for c in project) \
                    and not _calls_layer_call(project, layer):
                continue  # its own __call__, which does not run the layer's
            short = layer.rpartition(".")[2]
            how = f"bypasses `nnx.{short}.__init__`" if inherited else f"runs `nnx.{short}.__call__` on itself"
            sites.append(context.site(NAME, info.node, "ClassDef", _add_attribute(short),
                                      f"`{info.node.name}` {how}: `{ATTRIBUTE} = None`, which 0.12's "
                                      "`__call__` reads"))
        return sites, diagnostics

    @staticmethod
    def _none_bias(context: FileContext, info, layer: str) -> list[Diagnostic]:
        """`self.bias = nnx.Param(None)` where the layer's `__call__` runs: 0.11 read
        `self.bias.value` (None), 0.12 reads `self.bias[...]`, which raises on None."""
        found = []
        for node, self_name, scope in _nodes_of_methods(context, info):
            if isinstance(node, ast.Assign) and len(node.targets) == 1 \
                    and isinstance(node.targets[0], ast.Attribute) and node.targets[0].attr == "bias" \
                    and isinstance(node.targets[0].value, ast.Name) and node.targets[0].value.id == self_name \
                    and isinstance(node.value, ast.Call) and len(node.value.args) == 1 \
                    and isinstance(node.value.args[0], ast.Constant) and node.value.args[0].value is None \
                    and context.index.is_variable_class(context.resolver.qualified(node.value.func, scope) or ""):
                short = layer.rpartition(".")[2]
                found.append(context.diagnostic(
                    NAME, node, f"`self.bias = {ast.unparse(node.value)}`: flax 0.12's `{short}.__call__` reads "
                    "`self.bias[...]`, which raises TypeError on a Variable holding None (0.11 read `.value`)",
                    "assign `self.bias = None`, what the layer itself stores without a bias (the state then "
                    "has no `bias` entry)", URL))
        return found

    @staticmethod
    def _borrowed_call(context: FileContext, info) -> str | None:
        """The layer whose `__call__` one of the class's methods runs on its own instance:
        `nnx.Conv.__call__(self, x)` in a class that is not a Conv (bijx's `ConvSym`)."""
        for node, self_name, scope in _nodes_of_methods(context, info):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr == "__call__" and node.args and isinstance(node.args[0], ast.Name) \
                    and node.args[0].id == self_name:
                qualified = context.resolver.qualified(node.func.value, scope)
                if qualified in LAYERS:
                    return qualified
        return None


def _nodes_of_methods(context: FileContext, info):
    """(node, the name of `self`, the method's scope) for every node of the class's methods
    that take a `self`."""
    for method in info.methods.values():
        arguments = method.args.posonlyargs + method.args.args
        if not arguments:
            continue
        scope = context.resolver.method_scope(info, method)
        for node in ast.walk(method):
            yield node, arguments[0].arg, scope


def _calls_an_init(function: ast.AST) -> bool:
    """Any `super()` or `X.__init__(...)` in it (the layer's `__init__` may run)."""
    for node in ast.walk(function):
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Name) and node.func.id == "super":
                return True
            if isinstance(node.func, ast.Attribute) and node.func.attr == "__init__":
                return True
    return False


def _class_level(node: ast.ClassDef) -> bool:
    """The class body binds the attribute in any way (a target, among others, starred, in an
    `if` or by a walrus; a def or property of that name), or computes attributes."""
    for statement in node.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)) \
                and statement.name in (ATTRIBUTE, "__getattr__", "__getattribute__"):
            return True
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue  # their own scopes
        if any(isinstance(name, ast.Name) and name.id == ATTRIBUTE and isinstance(name.ctx, ast.Store)
               for name in ast.walk(statement)):
            return True
    return False


def _defines_call(info) -> bool:
    return "__call__" in info.methods


def _calls_layer_call(project, layer: str) -> bool:
    """The first `__call__` in the MRO calls `super().__call__(...)`, or `<C>.__call__(self,
    ...)` with C the layer (`nnx.Conv`) or a project class above it."""
    call = next(c.methods["__call__"] for c in project if "__call__" in c.methods)
    names = {layer.rpartition(".")[2]} | {c.node.name for c in project}
    for node in ast.walk(call):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "__call__":
            owner = node.func.value
            if isinstance(owner, ast.Call) and isinstance(owner.func, ast.Name) and owner.func.id == "super":
                return True
            if (owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", None)) in names:
                return True
    return False


class LayerSubclassAttributesCommand(RuleCommand):
    """libcst codemod for the layer-subclass-attributes rule."""

    DESCRIPTION = LayerSubclassAttributes.summary
    RULE = LayerSubclassAttributes
