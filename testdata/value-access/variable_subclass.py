import jax.numpy as jnp
from flax import nnx


class EMA(nnx.Variable):
    def update(self, x, decay=0.9):
        self.value = decay * self.value + (1 - decay) * x


class Model(nnx.Module):
    def __init__(self):
        self.ema = EMA(jnp.zeros(3))

    def __call__(self, x):
        self.ema.update(x)
        return self.ema.value
