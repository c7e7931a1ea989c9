# nnx-migrate-test: --target-version 0.11.0
import jax
import numpy as np
from flax import nnx
from jax.sharding import Mesh

mesh = Mesh(np.array(jax.devices()).reshape(1, -1), ("data", "model"))


@nnx.jit
def create():
    init = nnx.with_partitioning(nnx.initializers.lecun_normal(), (None, "model"))
    return nnx.Linear(4, 8, kernel_init=init, rngs=nnx.Rngs(0))


with mesh:  # flax 0.11 allows jax 0.6, which has no jax.set_mesh: reported
    model = create()
