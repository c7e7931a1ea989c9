import jax.numpy as jnp
from flax import nnx


def read(v):
    return v.value  # LOOKALIKE: caller.py loads this module with importlib and looks read up by name


def local_use():
    return read(nnx.Param(jnp.ones(3)))
