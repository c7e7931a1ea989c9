import jax.numpy as jnp
from flax import nnx


class Block(nnx.Module):
    def __init__(self, dim: int):
        self.scale = nnx.Param(jnp.ones((dim,)))
        self.steps = nnx.Variable(jnp.zeros((), jnp.int32))
