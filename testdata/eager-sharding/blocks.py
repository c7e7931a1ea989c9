# nnx-migrate-test: --unsafe-fixes
"""Several items, a jitted constraint on a parameter, an eager constraint to a
NamedSharding, Auto axes spelled out: each `with mesh:` becomes `with jax.set_mesh(mesh):`."""

import contextlib

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx
from jax.sharding import AxisType, Mesh, NamedSharding, PartitionSpec as P

devices = np.array(jax.devices()).reshape(1, -1)
mesh = Mesh(devices, ("data", "model"))
auto = Mesh(devices, ("data", "model"), axis_types=(AxisType.Auto,) * 2)


class Dense(nnx.Module):
    def __init__(self, *, rngs: nnx.Rngs):
        init = nnx.with_partitioning(nnx.initializers.lecun_normal(), (None, "model"))
        self.linear = nnx.Linear(4, 8, kernel_init=init, rngs=rngs)

    def __call__(self, x):
        return self.linear(x)


@jax.jit
def constrain(x):
    return jax.lax.with_sharding_constraint(x, P("data", None))


batch = jnp.ones((2, 4))
with mesh, contextlib.nullcontext():
    model = Dense(rngs=nnx.Rngs(0))
    placed = jax.lax.with_sharding_constraint(batch, NamedSharding(mesh, P("data", None)))
    out = model(constrain(batch))

with auto:
    again = Dense(rngs=nnx.Rngs(1))

print(float(out.sum()), float(placed.sum()), float(again.linear.kernel.value.sum()))
