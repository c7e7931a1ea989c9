"""Look-alikes of transforms.py: a decorator not known to return the body's result, a loop
body whose return changes the carry, a body with another caller."""
import jax
import jax.numpy as jnp
from flax import nnx


class Block(nnx.Module):
    def __init__(self, *, rngs: nnx.Rngs):
        self.scale = nnx.Param(jnp.ones((3,)))


class Other(nnx.Module):
    def __init__(self):
        self.scale = nnx.BatchStat(jnp.ones((3,)))


def build(rngs: nnx.Rngs, keys):
    @jax.vmap  # a Module is no pytree before flax 0.12
    def create(key):
        return Block(rngs=nnx.Rngs(key))

    @nnx.vmap
    def count(block, n):
        return n  # an int comes back an array

    return create(keys).scale.value, count(create(keys), 3).value


def loops(rngs: nnx.Rngs, other):
    def changes(i, carry):
        m, x = carry
        m.scale.value += 1
        return Other(), x

    def shared(i, carry):
        m, x = carry
        m.scale.value += 1
        return m, x

    nnx.fori_loop(0, 3, changes, (Block(rngs=rngs), jnp.ones((3,))))
    nnx.fori_loop(0, 3, shared, (Block(rngs=rngs), jnp.ones((3,))))
    return shared(0, other)
