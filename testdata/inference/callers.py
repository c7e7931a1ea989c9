# Parameters without annotation: the type every caller passes, when every caller is seen.
import jax
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


def through_jax_jit(k):
    m = nnx.Linear(2, 3, rngs=nnx.Rngs(0))
    graphdef, state = nnx.split(m)

    @jax.jit
    def f(graphdef, state):
        graphdef  # revealed: GraphDef[nnx.Linear]
        nnx.merge(graphdef, state).kernel  # revealed: nnx.Param[array]
        return state

    @jax.vmap
    def g(graphdef):  # near-miss: vmap stacks its arguments' leaves
        graphdef  # revealed: unknown
        return graphdef

    return f(graphdef, state), g(graphdef)


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
