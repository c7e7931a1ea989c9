"""Layers written in the flax 0.10/0.11 style: `.value` everywhere."""

import jax.numpy as jnp
from flax import nnx


class Scale(nnx.Module):
    def __init__(self, dim: int):
        self.gain = nnx.Param(jnp.ones((dim,)))
        self.history = nnx.Variable(jnp.zeros(()))

    def __call__(self, x):
        # running mean of the input magnitude, updated in place
        self.history.value = 0.9 * self.history.value + 0.1 * jnp.abs(x).mean()
        return x * self.gain.value
