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


class Scale(nnx.Module):
    def __init__(self, dim: int):
        self.gain = nnx.Param(jnp.ones((dim,)))
        self.history = nnx.Variable(jnp.zeros(()))

    def __call__(self, x):
        # running mean of the input magnitude, updated in place
        self.history.value = 0.9 * self.history.value + 0.1 * jnp.abs(x).mean()
        return x * self.gain.value
