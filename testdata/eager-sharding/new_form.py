"""Already in the flax 0.12 form: unchanged, nothing reported."""

import jax
import numpy as np
from flax import nnx
from jax.sharding import Mesh

mesh = Mesh(np.array(jax.devices()).reshape(1, -1), ("data", "model"))


class Dense(nnx.Module):
    def __init__(self, *, rngs: nnx.Rngs):
        init = nnx.with_partitioning(nnx.initializers.lecun_normal(), (None, "model"))
        self.linear = nnx.Linear(4, 8, kernel_init=init, rngs=rngs)
        self.scale = nnx.Param(jax.numpy.ones(8), out_sharding=("model",))


with jax.set_mesh(mesh):
    model = Dense(rngs=nnx.Rngs(0))
    abstract = nnx.eval_shape(lambda: Dense(rngs=nnx.Rngs(0)))

explicit = nnx.Linear(4, 8, kernel_init=nnx.with_partitioning(
    nnx.initializers.lecun_normal(), (None, "model"), mesh=mesh), rngs=nnx.Rngs(0))
