"""Annotated Variables that may be made with no mesh set, and `with mesh:` blocks the rule
cannot show equivalent under jax.set_mesh: all reported, none rewritten."""

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx
from jax.sharding import Mesh, PartitionSpec as P

mesh = Mesh(np.array(jax.devices()).reshape(1, -1), ("data", "model"))
made = jax.make_mesh((1, len(jax.devices())), ("data", "model"))


class Dense(nnx.Module):
    def __init__(self, *, rngs: nnx.Rngs):
        init = nnx.with_partitioning(nnx.initializers.lecun_normal(), (None, "model"))
        self.linear = nnx.Linear(4, 8, kernel_init=init, rngs=rngs)


class Embed(nnx.Module):
    def __init__(self, *, rngs: nnx.Rngs):
        self.table = nnx.Param(jnp.ones((8, 4)), sharding=("model", None))


def shard_batch(x):
    return jax.lax.with_sharding_constraint(x, P("data", None))


unsharded = Dense(rngs=nnx.Rngs(0))  # no mesh at all: Dense's annotation is reported

with mesh as bound:  # binds None under jax.set_mesh
    first = Embed(rngs=nnx.Rngs(0))

with made:  # jax.make_mesh: Explicit axes on jax 0.10.2
    second = Embed(rngs=nnx.Rngs(1))

batch = jnp.ones((8, 4))
with mesh:  # an eager constraint on an array made before the block
    third = Embed(rngs=nnx.Rngs(2))
    batch = jax.lax.with_sharding_constraint(batch, P("data", None))

with mesh:  # the same, in a function the block calls
    fourth = Embed(rngs=nnx.Rngs(3))
    sharded = shard_batch(batch)


def build(mesh):
    with mesh:  # a parameter: not shown to be a Mesh
        return Embed(rngs=nnx.Rngs(4))
