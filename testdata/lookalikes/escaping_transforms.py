"""Functions wrapped by flax transforms whose wrapper escapes: stored, returned, passed on,
partially applied. Their callers cannot all be seen."""

import enum

import jax.numpy as jnp
from flax import nnx


class Level(enum.Enum):
    LOW = 0


def run(fn, x):
    return fn(x)


def transform_escapes():
    def read(v):
        return v.value  # LOOKALIKE: g = nnx.jit(read) is handed to run(), which calls it with an Enum

    g = nnx.jit(read)
    g(nnx.Param(jnp.ones(3)))
    return run(g, Level.LOW)


class Trainer:
    def __init__(self):
        def read(v):
            return v.value  # LOOKALIKE: the jitted function is stored on self and called with an Enum

        self.step = nnx.jit(read)
        self.step(nnx.Param(jnp.ones(3)))

    def go(self):
        return self.step(Level.LOW)


def grad_escapes(model):
    def loss(v):
        return v.value  # LOOKALIKE: the grad function is returned to unknown callers

    grad_fn = nnx.grad(loss)
    grad_fn(nnx.Param(jnp.ones(3)))
    return grad_fn


def partial_of_transform():
    import functools

    def read(v, scale):
        return v.value * scale  # LOOKALIKE: a partial of the jitted function binds an Enum

    jitted = nnx.jit(read)
    low = functools.partial(jitted, Level.LOW)
    return low(2), jitted(nnx.Param(jnp.ones(3)), 1)
