"""Caches given non-array values through a loop variable, a list item, setattr, another
class's method: their reads may only become get_value()."""

import jax.numpy as jnp
from flax import nnx


class Recorder:
    def store(self, target, item):
        target.value = [item]


class Attention(nnx.Module):
    def __init__(self):
        self.k_cache = nnx.Cache(jnp.zeros((1, 4)))
        self.v_cache = nnx.Cache(jnp.zeros((1, 4)))
        self.index = nnx.Cache(jnp.zeros((), jnp.int32))
        self.meta = nnx.Cache(jnp.zeros(()))
        self.log = nnx.Cache(jnp.zeros(()))

    def reset(self, batch):
        for cache in (self.k_cache, self.v_cache):
            cache.set_value((batch, None))
        caches = [self.index]
        caches[0].set_value({"position": 0})
        setattr(self.meta, "value", {"layer": 0})
        Recorder().store(self.log, batch)

    def __call__(self, x):
        k, _ = self.k_cache.get_value()  # NON-ARRAY: a tuple, written through the loop variable in reset()
        position = self.index.get_value()["position"]  # NON-ARRAY: a dict, written through a list item
        layer = self.meta.get_value()["layer"]  # NON-ARRAY: a dict, written with setattr
        first = self.log.get_value()[0]  # NON-ARRAY: a list, written by Recorder.store
        return x + k + position + layer + first
