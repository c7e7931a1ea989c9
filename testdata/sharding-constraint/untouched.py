"""Near-misses: jax's own constraint, a project's function of the same name, flax's
linen constraint."""

import jax
from flax import linen as nn
from flax import nnx
from jax.sharding import PartitionSpec as P


def with_sharding_constraint(x, sharding):  # the project's own, eformer style
    return x


class Block(nnx.Module):
    def __call__(self, x):
        x = jax.lax.with_sharding_constraint(x, P("data", None))
        x = with_sharding_constraint(x, P("data", None))
        return nn.with_logical_constraint(x, ("batch", None))
