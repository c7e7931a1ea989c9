"""Calls that are not the call jax makes: reported, none rewritten."""

import functools

import jax
from flax import nnx
from flax.nnx import with_sharding_constraint
from jax.sharding import PartitionSpec as P


class Block(nnx.Module):
    def __init__(self, mesh, *, rngs: nnx.Rngs):
        self.mesh = mesh
        self.linear = nnx.Linear(4, 8, rngs=rngs)

    def __call__(self, x):
        x = nnx.with_sharding_constraint(x, P("data", None))  # a no-op outside `with mesh:`
        x = nnx.with_sharding_constraint(x, ("data", None), mesh=self.mesh)  # a tuple spec
        x = nnx.with_sharding_constraint(x, P("data", None), mesh=self.mesh)  # may be None
        x = with_sharding_constraint(x, P("data", None))
        return nnx.with_sharding_constraint(*[x, P("data", None)])


constrain = functools.partial(nnx.with_sharding_constraint, axis_resources=P("data"))
