"""Near-misses: not a jax Mesh, no NNX in the block, annotations that opt out."""

import contextlib

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx
from jax.sharding import Mesh as JaxMesh


class Mesh:  # the project's own Mesh, a context manager
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class Sharded(nnx.Param):
    def __init__(self, value, sharding=None, **kwargs):  # its own `sharding` parameter
        super().__init__(value, **kwargs)


device_mesh = JaxMesh(np.array(jax.devices()).reshape(1, -1), ("data", "model"))
own_mesh = Mesh()

with device_mesh:  # pure jax: no NNX object in the block
    ones = jnp.ones(3)

with own_mesh:  # LOOKALIKE: not a jax Mesh (reported, not rewritten)
    layer = nnx.Linear(2, 2, rngs=nnx.Rngs(0))

with open(__file__) as source, contextlib.suppress(OSError):
    text = source.read()

lazy = nnx.Linear(4, 8, kernel_init=nnx.with_partitioning(
    nnx.initializers.lecun_normal(), (None, "model"), eager_sharding=False), rngs=nnx.Rngs(0))
unannotated = nnx.Param(jnp.ones(3), sharding=None)
own = Sharded(jnp.ones(3), sharding=("model",))
