"""Variables made with an array and later given a tuple or a dict: reads must use
get_value(), `[...]` fails on them."""

import jax.numpy as jnp
from flax import nnx


class Decoder(nnx.Module):
    def __init__(self):
        self.cache = nnx.Cache(jnp.zeros((1, 4)))

    def prefill(self, k, v):
        self.cache.value = (k, v)

    def step(self):
        k, v = self.cache.value  # NON-ARRAY: a (k, v) tuple after prefill
        return k


def local_retyped():
    v = nnx.Variable(jnp.zeros(3))
    v.value = {"a": 1}
    return v.value["a"]  # NON-ARRAY: a dict after the write
