import jax.numpy as jnp
from flax import nnx


class M(nnx.Module):
    def __init__(self):
        self.w = nnx.Param(jnp.ones(3))

    def __call__(self):
        a = self.w.value  # nnx-migrate: skip
        b = self.w.value
        s = "# nnx-migrate: skip"; c = self.w.value
        return a, b, c, s
