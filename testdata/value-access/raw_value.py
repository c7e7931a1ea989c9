import jax.numpy as jnp
from flax import nnx


class M(nnx.Module):
    def __init__(self):
        self.w = nnx.Param(jnp.ones(3))

    def __call__(self, x):
        if self.w.raw_value is not None:
            self.w.raw_value = x
        return self.w.raw_value
