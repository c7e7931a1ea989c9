import jax.numpy as jnp
from flax import nnx


def read(v):
    return v.value  # LOOKALIKE: dispatch() finds it through globals() and caller.py passes an Enum


def local_use():
    return read(nnx.Param(jnp.ones(3)))


def dispatch(name, argument):
    return globals()[name](argument)
