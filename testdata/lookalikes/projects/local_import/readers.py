import jax.numpy as jnp
from flax import nnx


def read(v):
    return v.value  # LOOKALIKE: caller.py imports it inside a function and passes an Enum


def local_use():
    return read(nnx.Param(jnp.ones(3)))
