import jax.numpy as jnp
from flax import nnx


def read(v):
    return v.value  # LOOKALIKE: test_readers.py (no flax import) calls it with an Enum


def local_use():
    return read(nnx.Param(jnp.ones(3)))
