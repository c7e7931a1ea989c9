# nnx-migrate-test: --unsafe-fixes
import jax.numpy as jnp
from flax import nnx


class M(nnx.Module):
    def __init__(self):
        self.w = nnx.Param(jnp.ones(3))
        self.n = nnx.Variable(0)

    def __call__(self, x):
        self.w.value = x
        self.w.value += x
        self.n.value = 3
        return self.w.value
