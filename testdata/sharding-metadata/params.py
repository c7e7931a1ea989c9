import jax.numpy as jnp
from flax import nnx


class Sharded(nnx.Variable):
    pass


class Dense(nnx.Module):
    def __init__(self):
        self.w = nnx.Param(jnp.ones((2, 2)), sharding=("embed", "mlp"))
        self.b = nnx.Param(jnp.zeros(2), sharding_names=("mlp",))
        self.s = Sharded(jnp.zeros(2), sharding=(None,))
