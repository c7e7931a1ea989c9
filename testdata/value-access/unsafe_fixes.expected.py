# nnx-migrate-test: --unsafe-fixes
import jax.numpy as jnp
from flax import nnx


class M(nnx.Module):
    def __init__(self):
        self.w = nnx.Param(jnp.ones(3))
        self.n = nnx.Variable(0)

    def __call__(self, x):
        self.w[...] = x
        self.w[...] += x
        self.n.set_value(3)
        return self.w.get_value()
