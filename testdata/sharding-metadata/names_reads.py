# `v.sharding_names` (flax 0.11.2-0.12.3; warns from 0.12.4): runs on flax 0.11.2 as written
# and, migrated, on 0.12.8 with DeprecationWarnings as errors, printing the same.
import jax.numpy as jnp
from flax import nnx

w = nnx.Param(jnp.ones((2, 4)), sharding=("data", None), eager_sharding=False)
spec = w.sharding_names
print(spec, (w.sharding_names)[1], [n for n in w.sharding_names if n])
