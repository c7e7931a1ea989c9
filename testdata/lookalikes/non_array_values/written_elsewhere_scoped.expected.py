"""A Param given a tuple through an alias: reads of it may only become get_value(); a
Cache, which no write through an alias can reach, keeps `[...]`."""

import jax.numpy as jnp
from flax import nnx


class Scaler(nnx.Module):
    def __init__(self):
        self.temperature = nnx.Param(jnp.ones(()))
        self.steps = nnx.Cache(jnp.zeros((), jnp.int32))

    def calibrate(self, low, high):
        weights = self.temperature
        weights.set_value((low, high))

    def __call__(self, x):
        low, high = self.temperature.get_value()  # NON-ARRAY: a tuple, written through an alias in calibrate()
        return x * (high - low) + self.steps[...]
