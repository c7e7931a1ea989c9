import jax.numpy as jnp

try:
    from flax import nnx
except ImportError:  # flax before 0.8
    from flax.experimental import nnx


def read(v: nnx.Param):
    return v.value


class Model(nnx.Module):
    def __init__(self):
        self.w = nnx.Param(jnp.ones(3))

    def __call__(self, x):
        return x * self.w.value
