# nnx-migrate-test: --target-version 0.12.0
import jax.numpy as jnp
from flax import nnx


class M(nnx.Module):
    def __init__(self):
        self.w = nnx.Param(jnp.ones(3))
        self.n = nnx.Variable(0)
        self.steps = nnx.Variable(jnp.zeros((), jnp.int32))

    def __call__(self, x):
        self.steps[...] += 1
        self.w.value = x
        self.n.value += 1
        return self.w.value, self.n.value
