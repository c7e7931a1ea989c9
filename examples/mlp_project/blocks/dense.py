"""Layers written in the flax 0.10/0.11 style: `.value` everywhere."""

import jax
import jax.numpy as jnp
from flax import nnx


class CallCount(nnx.Variable):
    """Counts forward passes."""


class Dense(nnx.Module):
    def __init__(self, din: int, dout: int, rngs: nnx.Rngs):
        key = rngs.params()
        self.w = nnx.Param(jax.random.normal(key, (din, dout)) / jnp.sqrt(din))
        self.b = nnx.Param(jnp.zeros((dout,)))
        self.calls = CallCount(jnp.array(0, dtype=jnp.int32))

    def __call__(self, x):
        self.calls.value += 1
        return x @ self.w.value + self.b.value
