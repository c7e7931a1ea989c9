# `nnx.shard_map(..., check_rep=)` (flax 0.10.4-0.12.0, jax's old name) is `check_vma=` from
# flax 0.12.1, where `check_rep=` raises TypeError. Runs on flax 0.11.2 as written and,
# migrated, on 0.12.8 with DeprecationWarnings as errors, printing the same.
import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx
from jax.sharding import Mesh, PartitionSpec as P

mesh = Mesh(np.array(jax.devices()[:1]), ("data",))


def double(model, x):
    return model(x) * 2


model = nnx.Linear(2, 2, rngs=nnx.Rngs(0))
sharded = nnx.shard_map(double, mesh=mesh, in_specs=(P(), P("data")), out_specs=P("data"), check_rep=False)
print(jnp.round(sharded(model, jnp.ones((4, 2))), 5).tolist())
