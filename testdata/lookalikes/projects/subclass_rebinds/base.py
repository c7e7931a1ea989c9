import jax.numpy as jnp
from flax import nnx


class Scaler(nnx.Module):
    def __init__(self):
        self.temperature = nnx.Param(jnp.ones(()))

    def __call__(self, x):
        return x / self.temperature.value  # LOOKALIKE: FrozenScaler (another file) rebinds `temperature` to a plain holder

    def make_bias(self):
        return nnx.Param(jnp.zeros(()))

    def shifted(self, x):
        bias = self.make_bias()
        return x + bias.value  # LOOKALIKE: FrozenScaler overrides make_bias to return a plain holder
