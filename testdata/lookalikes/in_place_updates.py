"""In-place updates (`x += 1`) whose target is not (only) a Variable."""

import jax.numpy as jnp
from flax import nnx


class Counter(nnx.Module):
    def __init__(self):
        self.count = nnx.Variable(jnp.zeros((), jnp.int32))

    def tick(self):
        self.count += 1  # LOOKALIKE: PlainCounter rebinds count to an int: `+=` on an int


class PlainCounter(Counter):
    def __init__(self):
        super().__init__()
        self.count = 0


def step(v, flag):
    if flag:
        v = nnx.Variable(jnp.zeros(()))
    v += 1  # LOOKALIKE: v is the caller's number unless flag
    return v


def caller():
    return step(3, False)
