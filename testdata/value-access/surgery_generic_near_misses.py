"""Run-time-name stores that may put anything anywhere: every attribute stays unknown."""
import jax.numpy as jnp
from flax import nnx


class Model(nnx.Module):
    def __init__(self):
        self.w = nnx.Param(jnp.ones(3))

    def __call__(self, x):
        return x * self.w.value  # zero_out() may have put an array here


def zero_out(model: nnx.Module, name: str):
    setattr(model, name, jnp.zeros(3))
