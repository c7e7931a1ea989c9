import jax
import jax.numpy as jnp
from flax import nnx


class Dense(nnx.Module):
    def __init__(self, *, rngs: nnx.Rngs):
        self.linear = nnx.Linear(2, 4, rngs=rngs)
        # annotate after construction, as 0.11 code did
        self.linear.kernel.sharding_names = (None, "model")
        self.linear.bias.sharding_names = ("model",)


model = Dense(rngs=nnx.Rngs(0))
specs = nnx.get_partition_spec(nnx.state(model))
print(jax.tree.leaves(specs, is_leaf=lambda x: isinstance(x, jax.sharding.PartitionSpec)))
print(jnp.sum(model.linear(jnp.ones((1, 2)))))
