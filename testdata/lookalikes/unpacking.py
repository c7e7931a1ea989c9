"""Unpacking: a starred target shifts the positions of the targets after it."""

import enum

import jax.numpy as jnp
from flax import nnx


class Level(enum.Enum):
    LOW = 0
    HIGH = 1


def star_middle(a, b):
    first, *middle, last = (Level.LOW, nnx.Param(a), nnx.Param(b), Level.HIGH)
    return last.value  # LOOKALIKE: `last` is the final item, Level.HIGH


def star_middle_list(a, b):
    first, *middle, last = [Level.LOW, nnx.Param(a), nnx.Param(b), Level.HIGH]
    return last.value  # LOOKALIKE: same with a list


def star_first(a):
    *init, tail = (nnx.Param(a), Level.LOW)
    return tail.value  # LOOKALIKE: tail is the Enum


def nested_unpack(a):
    (w, level), other = (nnx.Param(a), Level.LOW), None
    return level.value  # LOOKALIKE: nested position 1 is the Enum


def for_unpack(pairs):
    out = []
    for level, w in [(Level.LOW, nnx.Param(jnp.ones(3)))]:
        out.append(level.value)  # LOOKALIKE: position 0 of each pair is the Enum
    return out


def swap_in_loop(a):
    x, y = nnx.Param(a), Level.LOW
    for _ in range(2):
        x, y = y, x
    return x.value  # LOOKALIKE: after a swap x may be the Enum

