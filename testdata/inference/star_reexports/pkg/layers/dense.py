import jax.numpy as jnp
from flax import nnx


class Dense(nnx.Module):
    def __init__(self):
        self.w = nnx.Param(jnp.ones(3))


class Hidden(nnx.Module):
    def __init__(self):
        self.w = nnx.Param(jnp.ones(3))


class _Private(nnx.Module):
    def __init__(self):
        self.w = nnx.Param(jnp.ones(3))


class Shadowed(nnx.Module):
    def __init__(self):
        self.w = nnx.Param(jnp.ones(3))
