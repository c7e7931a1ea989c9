import jax
import jax.numpy as jnp
from flax import nnx


class Block(nnx.Module):
    def __init__(self):
        self.w = nnx.Param(jnp.ones(2), on_get_value=lambda v, x: x)

    def __call__(self, x):
        self.sow(nnx.Intermediate, "features", x)
        return x


def inspect(model: Block):
    leaves = jax.tree.leaves(model)
    seen = {model.w}
    table = {model.w: 1}
    return leaves, seen, table, jax.tree.leaves(nnx.state(model))
