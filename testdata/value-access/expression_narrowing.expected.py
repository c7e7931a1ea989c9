"""isinstance checks inside an expression narrow as `if` does (flow.py), a `|` union of
classes included: `a if isinstance(x, C) else b`, `isinstance(x, C) and ...`, `not
isinstance(x, C) or ...`, comprehension filters, also in a lambda of an enclosing name."""

import jax
from flax import nnx


def union_in_ifexp(v):
    return v.get_value() if isinstance(v, nnx.Param | nnx.BatchStat) else v


def union_in_and(v):
    return isinstance(v, nnx.Param | nnx.BatchStat) and v.get_value() is not None


def negated_or(v):
    return not isinstance(v, nnx.Param) or v.get_value() is None


def union_in_filter(leaves):
    return [v.get_value() for v in leaves if isinstance(v, nnx.Param | nnx.BatchStat)]


def filter_of_enclosing_name(v, rows):
    return [v.get_value() for _ in rows if isinstance(v, nnx.Param)]


def lambda_of_enclosing_name(v, tree):
    return jax.tree.map(lambda leaf: v.get_value() if isinstance(v, nnx.Param) else leaf, tree)
