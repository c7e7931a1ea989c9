import jax.numpy as jnp
from flax import nnx


def read(v):
    return v.value  # LOOKALIKE: caller.py collects the module's functions with inspect.getmembers and passes an Enum


def local_use():
    return read(nnx.Param(jnp.ones(3)))
