"""Results of nnx.vmap / nnx.pmap / nnx.scan / nnx.split_rngs, and loop carries: Modules of
the class the function returns (its Params hold stacked arrays), read with `[...]`."""
import jax
import jax.numpy as jnp
from flax import nnx


class Block(nnx.Module):
    def __init__(self, *, rngs: nnx.Rngs):
        self.linear = nnx.Linear(2, 3, rngs=rngs)
        self.scale = nnx.Param(jnp.ones((3,)))


class Stack(nnx.Module):
    def __init__(self, n, *, rngs: nnx.Rngs):
        @nnx.split_rngs(splits=n)
        @nnx.vmap(in_axes=0, out_axes=0)
        def create(rngs):
            return Block(rngs=rngs)

        self.blocks = create(rngs)

    def __call__(self, x):
        return x * self.blocks.scale.value


def build(rngs: nnx.Rngs):
    @nnx.split_rngs(splits=5)
    @nnx.scan(in_axes=(0,), out_axes=0, length=5)
    def create(rngs: nnx.Rngs):
        return Block(rngs=rngs)

    def make(key):
        return Block(rngs=nnx.Rngs(key))

    scanned = create(rngs)
    mapped = nnx.vmap(make)(jax.random.split(jax.random.key(0), 4))
    return scanned.linear.kernel.value.shape, mapped.scale.value


def loop(rngs: nnx.Rngs):
    def body(i, carry):
        m, x = carry
        m.scale.value += 1
        return m, x

    return nnx.fori_loop(0, 3, body, (Block(rngs=rngs), jnp.ones((3,))))
