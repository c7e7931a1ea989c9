"""Layers registered by name. The model builds them from a list of names, so neither a
reader nor static analysis can tell what `LAYERS[kind](...)` returns."""

import jax
import jax.numpy as jnp
from flax import nnx

LAYERS = {}


def register(name):
    def add(cls):
        LAYERS[name] = cls
        return cls

    return add


@register("dense")
class Dense(nnx.Module):
    def __init__(self, din, dout, rngs):
        self.kernel = nnx.Param(jax.random.normal(rngs.params(), (din, dout)) * 0.5)
        self.bias = nnx.Param(jnp.zeros((dout,)))

    def __call__(self, x):
        return x @ self.kernel.value + self.bias.value


@register("scale")
class Scale(nnx.Module):
    def __init__(self, din, dout, rngs):
        self.gain = nnx.Param(jnp.full((dout,), 1.5))
        self.calls = nnx.Variable(0)

    def __call__(self, x):
        self.calls.value += 1
        return x * self.gain.value
