"""Caches written with tuples or dicts through an alias, or a helper function:
their reads may only become get_value()."""

import jax.numpy as jnp
from flax import nnx


def fill(c, k, v):
    c.value = (k, v)


class Decoder(nnx.Module):
    def __init__(self):
        self.cache = nnx.Cache(jnp.zeros((1, 4)))
        self.kv = nnx.Cache(jnp.zeros((1, 4)))

    def prefill(self, k, v):
        alias = self.cache
        alias.value = (k, v)
        fill(self.kv, k, v)

    def step(self):
        a, b = self.cache.value  # NON-ARRAY: a tuple, written through an alias in prefill()
        c, d = self.kv.value  # NON-ARRAY: a tuple, written by fill()
        return a, c
