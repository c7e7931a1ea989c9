"""Module-level functions typed from their callers across the project (the index is
complete: the folder is given), where some use is not a call with a Variable."""

import enum

import jax.numpy as jnp
from flax import nnx


class Level(enum.Enum):
    LOW = 0
    HIGH = 1


def read_mixed(v):
    return v.value  # LOOKALIKE: one caller passes a Param, another an Enum


def read_mapped(v):
    return v.value  # LOOKALIKE: also mapped over Enum members


def read_in_table(v):
    return v.value  # LOOKALIKE: stored in a module-level table of callbacks


HANDLERS = {"read": read_in_table}


def read_via_identity(v):
    return v.value  # LOOKALIKE: the caller passes identity(Level.LOW), an Enum


def identity(x):
    return x


def read_through_jit(v):
    return v.value  # LOOKALIKE: nnx.jit passes the Enum through


def read_default(v=Level.HIGH):
    return v.value  # LOOKALIKE: called without arguments: the default, an Enum


def read_keyword(scale, v=None):
    return v.value * scale  # LOOKALIKE: called by keyword with an Enum


def read_recursive(v, depth):
    if depth:
        return read_recursive(v.parent, depth - 1)
    return v.value  # LOOKALIKE: the recursive call passes v.parent, unknown


def read_from_method(v):
    return v.value  # LOOKALIKE: a method passes its Enum attribute


def read_rebound(v):
    return v.value  # LOOKALIKE: the module-level name is rebound below


read_rebound = staticmethod(read_rebound)


def read_conditional_def(v):
    return v.value  # LOOKALIKE: redefined in the else branch below: two definitions


if Level.LOW:
    pass
else:

    def read_conditional_def(v):  # noqa: F811
        return v


def read_decorated_later(v):
    return v.value  # LOOKALIKE: decorated by assignment (name rebound)


read_decorated_later = print if False else read_decorated_later


def read_in_lambda_tree(state: nnx.State):
    return [read_in_lambda(x) for x in [Level.LOW]]  # the only caller passes an Enum


def read_in_lambda(v):
    return v.value  # LOOKALIKE: called from a comprehension over Enum members


def read_sorted_key(items):
    return sorted(items, key=read_sort_key)


def read_sort_key(v):
    return v.value  # LOOKALIKE: used as a sort key: called by sorted() on unknown items


class Owner:
    def __init__(self):
        self.level = Level.LOW

    def run(self):
        return read_from_method(self.level)


def callers():
    read_mixed(nnx.Param(jnp.ones(3)))
    read_mixed(Level.LOW)
    read_mapped(nnx.Param(jnp.ones(3)))
    list(map(read_mapped, Level))
    read_in_table(nnx.Param(jnp.ones(3)))
    read_via_identity(identity(Level.LOW))
    read_via_identity(nnx.Param(jnp.ones(3)))
    nnx.jit(read_through_jit)(Level.HIGH)
    read_through_jit(nnx.Param(jnp.ones(3)))
    read_default()
    read_keyword(2, v=Level.LOW)
    read_keyword(1, nnx.Param(jnp.ones(3)))
    read_recursive(nnx.Param(jnp.ones(3)), 2)
    read_from_method(nnx.Param(jnp.ones(3)))
    read_rebound(nnx.Param(jnp.ones(3)))
    read_conditional_def(nnx.Param(jnp.ones(3)))
    read_decorated_later(nnx.Param(jnp.ones(3)))
    read_sort_key(nnx.Param(jnp.ones(3)))
