# nnx-migrate-test: --unsafe-fixes
"""No `import jax` in the file: `set_mesh` is imported from jax."""

import numpy as np
from flax import nnx
from jax import devices
from jax.sharding import Mesh

mesh = Mesh(np.array(devices()).reshape(1, -1), ("data", "model"))
with mesh:
    model = nnx.Linear(4, 8, kernel_init=nnx.with_partitioning(nnx.initializers.lecun_normal(), (None, "model")),
                       rngs=nnx.Rngs(0))
print(float(model.kernel.value.sum()))  # the same; where it lives differs (sharded now)
