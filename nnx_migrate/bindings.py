"""The kinds of binding a name can have, one NamedTuple each (as ruff's `BindingKind`).

A binding says how a name got its value at one place: `x = value` is an `Expr`, a
parameter without annotation a `Param`, `if isinstance(x, C):` a `Narrow`. flow.py makes
them for statements (`BindingTable`) and for narrowing, infer/scopes.py for parameters;
infer/expressions.py's `_binding_type` turns each into a type. Read a binding by its
fields (`binding.kind`, `binding.value`), never by position; `syntax_of` gives the node a
binding was made at, whatever its kind.

`Annotated` and `Annotation` are two kinds, not one: `x: T = v` is a statement whose value
is `v` (the annotation wins where it names a type), while `def f(x: T)` is a parameter
whose value comes from the callers, so the readers that ask "is it a parameter?" (function
summaries forwarding a parameter, `Resolver.callers` for optimizer-api, `explain`'s
wording) take `Annotation` with `Param`, and `Annotated` with `Expr`.

Each is a tuple whose first item is its kind, so a binding equals (and hashes like) the
tuple it replaced: sets of bindings and the memo keep their meaning.
"""

from __future__ import annotations

import ast
from typing import NamedTuple, Union

# The kinds (ruff's BindingKind): the first item of every binding.
EXPR = "expr"  # x = value (a walrus too)
WITH = "with"  # with context as x
DEF = "def"  # def x(...)
CLASS = "class"  # class x: ...
ANNOTATED = "annotated"  # x: T = value (value may be None): a statement
ANNOTATION = "annotation"  # a parameter's annotation: def f(x: T)
AUGMENTED = "augmented"  # x += value
ITER = "iter"  # for x in iterable / a comprehension's generator
UNPACK = "unpack"  # a, b = value: one position of another binding
IMPORT = "import"  # import x / from m import x
UNKNOWN = "unknown"  # anything the engine does not follow (except, *args, global, ...)
NONE = "none"  # inside `if x is None:`
NARROW = "narrow"  # inside `if isinstance(x, C):` / `type(x) is C`
SELF = "self"  # a method's first parameter
CLS = "cls"  # a classmethod's first parameter
RNGS_PARAMETER = "rngs_parameter"  # a method's unannotated `rngs` parameter
PARAM = "param"  # a parameter without annotation: what its callers pass
KINDS = (EXPR, WITH, DEF, CLASS, ANNOTATED, ANNOTATION, AUGMENTED, ITER, UNPACK, IMPORT, UNKNOWN, NONE, NARROW, SELF,
         CLS, RNGS_PARAMETER, PARAM)


class Expr(NamedTuple):
    kind: str
    value: ast.expr


class With(NamedTuple):
    kind: str
    context: ast.expr  # what `__enter__` is called on


class Def(NamedTuple):
    kind: str
    node: ast.FunctionDef | ast.AsyncFunctionDef


class Class(NamedTuple):
    kind: str
    node: ast.ClassDef


class Annotated(NamedTuple):
    kind: str
    annotation: ast.expr
    value: ast.expr | None


class Annotation(NamedTuple):
    kind: str
    annotation: ast.expr


class Augmented(NamedTuple):
    kind: str
    node: ast.AugAssign


class Iter(NamedTuple):
    kind: str
    iterable: ast.expr


class Unpack(NamedTuple):
    kind: str
    whole: Binding  # the binding of the whole value
    position: int  # negative: counted from the end (after a starred target)


class Bare(NamedTuple):
    """IMPORT, UNKNOWN or NONE: a kind with nothing more to say."""

    kind: str


class Narrow(NamedTuple):
    kind: str
    classes: tuple  # the class expressions of the check
    before: frozenset | None  # the bindings that reached the check (None: for an attribute chain)


class OfClass(NamedTuple):
    """SELF, CLS or RNGS_PARAMETER: a parameter whose type comes from the method's class."""

    kind: str
    cls: str  # the class's qualified name


class Param(NamedTuple):
    kind: str
    function: ast.AST  # the def or lambda
    name: str


Binding = Union[Expr, With, Def, Class, Annotated, Annotation, Augmented, Iter, Unpack, Bare, Narrow, OfClass, Param]

NONE_BINDING = Bare(NONE)  # inside `if x is None:`, one object (made fresh, the others are one per place bound)


# the field holding the syntax node each kind of binding was made at
_SYNTAX_FIELD = {EXPR: "value", WITH: "context", DEF: "node", CLASS: "node", ANNOTATED: "annotation",
                 ANNOTATION: "annotation", AUGMENTED: "node", ITER: "iterable", PARAM: "function"}


def syntax_of(binding: Binding) -> ast.AST | None:
    """The node the binding was made at (its value, annotation, def, ...), for the line a
    message names; None for a kind with no node of its own (import, self, narrowing, ...)."""
    field = _SYNTAX_FIELD.get(binding.kind)
    return getattr(binding, field) if field is not None else None
