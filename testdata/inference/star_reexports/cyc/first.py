# star imports in a cycle: each module binds the other's public names too
import jax.numpy as jnp
from flax import nnx

from .second import *  # noqa: F403


class First(nnx.Module):
    def __init__(self):
        self.w = nnx.Param(jnp.ones(3))
