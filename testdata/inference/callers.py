# Parameters without annotation: the type every caller passes, when every caller is seen.
import jax.numpy as jnp
from flax import nnx


def outer(k, register):
    w = nnx.Param(k)

    @nnx.jit
    def f(w):
        w  # revealed: nnx.Param
        return w

    def g(w):
        w  # revealed: unknown
        return w

    register(g)  # escapes: its callers cannot all be seen
    return f(w), g(w)


class M(nnx.Module):
    def __init__(self):
        self.w = nnx.Param(jnp.ones(3))

    def _read(self, v):
        v  # revealed: nnx.Param
        return v

    def _mixed(self, v):
        v  # revealed: unknown
        return v

    def __call__(self, other):
        return self._read(self.w), self._mixed(self.w), other._mixed(1)  # `other` may be an M
