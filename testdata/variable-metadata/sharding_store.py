# 0.10's `v.sharding = names` after construction (the annotation get_partition_spec reads
# there; 0.11.0-0.12.3 keep it under a name nothing reads; AttributeError from 0.12.1).
import jax
import jax.numpy as jnp
from flax import nnx


class Scale(nnx.Module):
    def __init__(self):
        self.scale = nnx.Param(jnp.ones((4,)))
        self.scale.sharding = ("model",)


specs = nnx.get_partition_spec(nnx.state(Scale()))
print(jax.tree.leaves(specs, is_leaf=lambda x: isinstance(x, jax.sharding.PartitionSpec)))
