"""A Variable subclass with its own `sharding` parameter, reached through a partial and a
** dict: flax's deprecated keyword is not involved."""

import functools

import jax.numpy as jnp
from flax import nnx


class Sharded(nnx.Param):
    def __init__(self, value, sharding=None, **kwargs):
        super().__init__(value, spec=sharding, **kwargs)


make_sharded = functools.partial(Sharded, sharding=("model",))  # LOOKALIKE: Sharded's own `sharding` parameter, bound by a partial


def build():
    return make_sharded(jnp.ones(3))


def spec_kwargs():
    kwargs = {"sharding": ("data",)}
    return Sharded(jnp.ones(3), **kwargs)  # LOOKALIKE: Sharded's own parameter, passed in a ** dict
