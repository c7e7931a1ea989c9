import jax.numpy as jnp
from flax import nnx


class Dense(nnx.Module):
    def __init__(self, dim: int, use_bias: bool, rngs: nnx.Rngs):
        self.kernel = nnx.Param(jnp.ones((dim, dim)))
        if use_bias:
            self.bias = nnx.Param(jnp.zeros((dim,)))
        else:
            self.bias = nnx.data(None)
        self.cache = nnx.data(None)
        self.name = None

    def init_cache(self, dim: int):
        self.cache = nnx.Cache(jnp.zeros((dim,)))
