"""Caches written with tuples or dicts through an alias, or a helper function:
their reads may only become get_value()."""

import jax.numpy as jnp
from flax import nnx


def fill(c, k, v):
    c.set_value((k, v))


class Decoder(nnx.Module):
    def __init__(self):
        self.cache = nnx.Cache(jnp.zeros((1, 4)))
        self.kv = nnx.Cache(jnp.zeros((1, 4)))

    def prefill(self, k, v):
        alias = self.cache
        alias.set_value((k, v))
        fill(self.kv, k, v)

    def step(self):
        a, b = self.cache.get_value()  # NON-ARRAY: a tuple, written through an alias in prefill()
        c, d = self.kv.get_value()  # NON-ARRAY: a tuple, written by fill()
        return a, c
