"""A class a def defines, built only there: its `__init__` parameters are what the calls
pass."""
import jax.numpy as jnp
from flax import nnx


def local_constructor():
    class Holder(nnx.Module):
        def __init__(self, var):
            self.var = var

    holder = Holder(nnx.Param(jnp.ones(3)))
    return holder.var[...]
