"""`jax.typing.ArrayLike` admits Python scalars: `[...]` on a Variable holding 1.0 raises."""

import jax
from flax import nnx


def make_scale(init: jax.typing.ArrayLike):
    s = nnx.Variable(init)
    return s.value  # NON-ARRAY: init may be a Python float


class Temp(nnx.Module):
    def __init__(self, t: jax.typing.ArrayLike = 1.0):
        self.t = nnx.Param(t)

    def __call__(self, x):
        return x / self.t.value  # NON-ARRAY: the default is the Python float 1.0
