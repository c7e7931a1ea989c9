import jax.numpy as jnp
from flax import nnx

from .first import *  # noqa: F403


class Second(nnx.Module):
    def __init__(self):
        self.w = nnx.Param(jnp.ones(3))
