# Narrowing inside an expression, as `if` narrows (flow.py): the body and the else of
# `a if test else b`, operands after the test in `and` / `or`, comprehension filters (also
# of a name of the enclosing scope).
from flax import nnx


class Reading:
    value = 0


def ifexp(v):
    v if isinstance(v, nnx.Param) else None  # revealed: nnx.Param
    None if not isinstance(v, nnx.Param) else v  # revealed: nnx.Param
    None if isinstance(v, nnx.Param) else v  # revealed: unknown


def unions(v):
    v if isinstance(v, nnx.Param | nnx.BatchStat) else None  # revealed: nnx.Variable
    v if isinstance(v, (nnx.Param, nnx.BatchStat)) else None  # revealed: nnx.Variable
    v if isinstance(v, nnx.Param | Reading) else None  # revealed: unknown


def operands(v, w):
    [w, v] if isinstance(v, nnx.Param) and isinstance(w, nnx.BatchStat) else None  # revealed: list[nnx.Variable]
    [v] if isinstance(w, nnx.Param) else None  # revealed: unknown


def filters(v, rows):
    [v for _ in rows if isinstance(v, nnx.Param)]  # revealed: list[nnx.Param]
    [v for _ in rows if isinstance(v, nnx.Param | nnx.BatchStat)]  # revealed: list[nnx.Variable]
    [v for v in rows if isinstance(v, nnx.Param)]  # revealed: list[nnx.Param]


def walrus_rebinds(v, registry):
    v if isinstance(v, nnx.Param) and (v := registry[v]) else None  # revealed: unknown
