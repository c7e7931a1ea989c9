import jax.numpy as jnp
from flax import nnx

from train.util import show


class Block(nnx.Module):
    def __init__(self, din, dout, *, rngs):
        self.linear = nnx.Linear(din, dout, rngs=rngs)
        self.calls = nnx.Variable(jnp.zeros(()))


class Stack(nnx.Module):
    def __init__(self, sizes, *, rngs):
        self.blocks = nnx.List([Block(a, b, rngs=rngs) for a, b in zip(sizes, sizes[1:])])


def build(seed):
    rngs = nnx.Rngs(seed)
    show(nnx.Param(jnp.ones(3)))
    return Stack([4, 8], rngs=rngs), Block(8, 8, rngs=nnx.Rngs(1))
