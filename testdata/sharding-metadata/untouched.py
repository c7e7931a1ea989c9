import jax
from flax import nnx


def place(x, mesh, sharding):
    y = jax.device_put(x, sharding=sharding)
    layer = nnx.Linear(2, 2, rngs=nnx.Rngs(0))
    return y, layer, dict(sharding=sharding)
