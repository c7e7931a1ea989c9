"""`match` statements: capture patterns rebind names."""

import enum

import jax.numpy as jnp
from flax import nnx


class Op(enum.Enum):
    ADD = "+"
    MUL = "*"


def capture_rebinds(command):
    w = nnx.Param(jnp.ones(3))
    match command:
        case {"op": w}:
            return w.value  # LOOKALIKE: the mapping pattern captures w (an Op)
    return w


def as_pattern(command):
    w = nnx.Param(jnp.ones(3))
    match command:
        case Op() as w:
            return w.value  # LOOKALIKE: `as w` captures the Op member
    return None


def class_pattern_attribute(node):
    match node:
        case nnx.Param():
            return None
        case Op():
            return node.value  # LOOKALIKE: this branch matched an Op


def after_match(command):
    w = nnx.Param(jnp.ones(3))
    match command:
        case [w, *_]:
            pass
        case _:
            pass
    return w.value  # LOOKALIKE: the sequence pattern may have rebound w


def star_capture(command):
    rest = [nnx.Param(jnp.ones(3))]
    match command:
        case [first, *rest]:
            return rest[0].value  # LOOKALIKE: *rest captured from the subject
    return rest
