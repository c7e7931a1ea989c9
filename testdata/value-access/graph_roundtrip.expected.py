"""nnx.merge gives back what nnx.split took apart; `*rest, last = ...` counts from the end."""
import jax.numpy as jnp
from flax import nnx


class Model(nnx.Module):
    def __init__(self):
        self.w = nnx.Param(jnp.ones(3))
        self.count = nnx.BatchStat(jnp.zeros(()))


def roundtrip(m: Model):
    graphdef, state = nnx.split(m)
    again = nnx.merge(graphdef, state)
    copy = nnx.merge(nnx.graphdef(m), nnx.state(m))
    *_, last = [m.w, m.count]
    return again.w[...], copy.count[...], last[...]
