# `v.sharding` read as the annotation (flax 0.10: the `sharding=` metadata; from 0.11.2 the
# array's jax Sharding): runs on flax 0.10.7 as written and, migrated, on 0.12.8 with
# DeprecationWarnings as errors, printing the same.
import jax
import jax.numpy as jnp
from flax import nnx


class Block(nnx.Module):
    def __init__(self):
        self.w = nnx.Param(jnp.ones((2, 4)), out_sharding=("data", None), eager_sharding=False)
        self.b = nnx.Param(jnp.zeros((4,)), out_sharding=(None,), eager_sharding=False)


def axes(v: nnx.Param):
    return tuple(v.get_metadata('out_sharding', None))


block = Block()
print(axes(block.w), len(block.b.get_metadata('out_sharding', None)), block.w.get_metadata('out_sharding', None)[0])
print([a for a in block.w.get_metadata('out_sharding', None)], block.b.get_metadata('out_sharding', None) == (None,), block.w.get_metadata('out_sharding', None) is None)
print(jax.sharding.PartitionSpec(*block.w.get_metadata('out_sharding', None)))
