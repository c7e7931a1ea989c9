import jax.numpy as jnp
from flax import nnx


def read(v):
    return v.value  # LOOKALIKE: caller.py (unparsable: a merge conflict) passes an Enum; its calls are unseen


def local_use():
    return read(nnx.Param(jnp.ones(3)))
