import jax.numpy as jnp
from flax import nnx


class Dense(nnx.Module):
    def __init__(self):
        self.w = nnx.Param(jnp.ones((2, 2)))
        self.w.sharding_hint = ("data", None)  # where it lives

    def tag(self, name):
        self.w.tag = name
        self.w.value = jnp.zeros((2, 2))
