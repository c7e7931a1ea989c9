# Near-misses: jax's own shard_map with check_rep (jax's business), nnx.shard_map already with check_vma.
from jax.experimental.shard_map import shard_map
from flax import nnx

def f(g, mesh):
    return shard_map(g, mesh=mesh, in_specs=(), out_specs=(), check_rep=False), nnx.shard_map(g, mesh=mesh, in_specs=(), out_specs=(), check_vma=True)
