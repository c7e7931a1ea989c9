# `x.attr = y.attr` copies what some `.attr` holds: from an instance of the class (or of a
# subclass), nothing its attribute may not already hold.
import jax.numpy as jnp
from flax import nnx


class Block(nnx.Module):
    def __init__(self):
        self.w = nnx.Param(jnp.ones(3))
        self.b = nnx.Param(jnp.ones(3))


class Wide(Block):
    pass


class Other(nnx.Module):
    def __init__(self):
        self.w = 3
        self.b = nnx.BatchStat(jnp.ones(3))


def tie(first: Block, second: Block, wide: Wide, other: Other, unknown):
    first.w = second.w  # weight tying
    first.w = wide.w
    first.b = other.b
    wide.w = unknown.w


def reads(block: Block, wide: Wide, other: Other):
    block.w  # revealed: unknown
    block.b  # revealed: nnx.Variable[array]
    wide.b  # revealed: nnx.Variable[array]
    other.w  # revealed: unknown


class Tied(nnx.Module):
    def __init__(self):
        self.kernel = nnx.Param(jnp.ones(3))


def tie_tied(a: Tied, b: Tied):
    a.kernel = b.kernel


def reads_tied(a: Tied):
    a.kernel  # revealed: nnx.Param[array]
