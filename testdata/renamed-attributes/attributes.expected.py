# `_object__state` / `_object__nodes` (warn from 0.12.0) and `ToNNX.module` / `.rngs` (warn
# from 0.12.0): runs on flax 0.11.2 as written and, migrated, on 0.12.8 with
# DeprecationWarnings as errors, printing the same.
import flax.linen as nn
import jax.numpy as jnp
from flax import nnx
from flax.nnx import bridge


class Block(nnx.Module):
    def __init__(self, rngs: nnx.Rngs):
        self.linear = nnx.Linear(2, 3, rngs=rngs)

    def initializing(self):
        return self._pytree__state.initializing


block = Block(nnx.Rngs(0))
print(block.initializing(), "linear" in block.linear._pytree__nodes or "kernel" in block.linear._pytree__nodes)
wrapped = bridge.ToNNX(nn.Dense(3), rngs=nnx.Rngs(0))
print(type(wrapped.to_nnx__module).__name__, wrapped.to_nnx__rngs is not None)
bridge.lazy_init(wrapped, jnp.ones((1, 2)))
print(wrapped(jnp.ones((1, 2))).shape)
