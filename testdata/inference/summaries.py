# Function summaries: what a project function returns, from its return statements.
import functools

import jax
import jax.numpy as jnp
from flax import nnx
from mylib import some_decorator


def shard(x, spec):
    return x


def constrain(x, spec):
    return jax.lax.with_sharding_constraint(x, spec)


def reshard_if(x: jnp.ndarray, spec):  # annotated as an array; what flows through wins
    return jax.sharding.reshard(x, spec) if spec else x


def as_array(x: jax.Array):
    return x


def make(k):
    return nnx.Param(jnp.zeros(k))


def either(x, y, c):
    return x if c else y


def uses(k, other):
    shard(nnx.Param(k), 1)  # revealed: nnx.Param
    constrain(nnx.Param(k), 1)  # revealed: nnx.Param
    reshard_if(nnx.Param(jnp.ones(3)), None)  # revealed: nnx.Param[array]
    as_array(other)  # revealed: Array
    make(3)  # revealed: nnx.Param[array]
    either(nnx.Param(k), other, True)  # revealed: unknown


class Block(nnx.Module):
    def __init__(self, *, rngs: nnx.Rngs):
        self.linear = nnx.Linear(2, 3, rngs=rngs)

    @classmethod
    def create(cls, seed):
        return cls(rngs=nnx.Rngs(seed))


def built():
    Block.create(0)  # revealed: summaries.Block
    Block.create(0).linear.kernel  # revealed: nnx.Param[array]


@jax.jit
def jitted(block: Block):
    return block


@functools.partial(jax.jit, donate_argnums=0)
def jitted_partial(block):
    return block


@jax.vmap
def mapped(block):  # vmap stacks its outputs: not what the body returns
    return block


@some_decorator  # not seen: unknown
def decorated(block):
    return block


def through_jit(k):
    jitted(Block(rngs=nnx.Rngs(0)))  # revealed: summaries.Block
    jitted_partial(Block(rngs=nnx.Rngs(0))).linear  # revealed: nnx.Linear
    mapped(Block(rngs=nnx.Rngs(0)))  # revealed: unknown
    decorated(Block(rngs=nnx.Rngs(0)))  # revealed: unknown
