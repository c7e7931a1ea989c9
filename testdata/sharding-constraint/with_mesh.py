"""flax 0.10/0.11 constraints that name their mesh: the call flax made, written out."""

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx
from flax.nnx import Linear, with_sharding_constraint
from jax.sharding import Mesh, PartitionSpec

P = PartitionSpec
count = len(jax.devices())
mesh = Mesh(np.array(jax.devices()).reshape(2 if count % 2 == 0 else 1, -1), ("data", "model"))
spec = PartitionSpec("data", "model")


class Block(nnx.Module):
    def __init__(self, *, rngs: nnx.Rngs):
        self.linear = Linear(4, 8, rngs=rngs)

    def __call__(self, x):
        y = nnx.with_sharding_constraint(x, PartitionSpec("data", None), mesh=mesh)
        y = self.linear(y)
        y = nnx.with_sharding_constraint(y, spec, mesh)
        z = with_sharding_constraint(
            y * 2,
            P(None, "model"),
            mesh=mesh,
        )
        return nnx.with_sharding_constraint(y + z, None)


model = Block(rngs=nnx.Rngs(0))
out = nnx.jit(lambda m, x: m(x))(model, jnp.ones((8, 4)))
print(out.sharding.spec if hasattr(out.sharding, "spec") else out.sharding, float(out.sum()))
