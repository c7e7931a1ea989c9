import jax.numpy as jnp
from flax import nnx


def read(v):
    return v.value  # LOOKALIKE: caller.py looks functions up by name with getattr and passes an Enum


def read_twice(v):
    return v.value * 2  # LOOKALIKE: same: any function of this module may be the one getattr finds


def local_use():
    return read(nnx.Param(jnp.ones(3))), read_twice(nnx.Param(jnp.ones(3)))
