"""Look-alikes of graph_roundtrip.py: what was split, or which position, is not known."""
import jax.numpy as jnp
from flax import nnx


class Model(nnx.Module):
    def __init__(self):
        self.w = nnx.Param(jnp.ones(3))


def roundtrip(m, graphdef, state, model: Model, items):
    a = nnx.merge(graphdef, state).w.value  # a GraphDef from elsewhere
    graph, params = nnx.split(m)  # m is not known
    b = nnx.merge(graph, params).w.value
    *rest, g, s = nnx.split(model, nnx.Param)  # -2 may be a GraphDef or a State
    *_, last = items
    return a, b, g.value, last.value
