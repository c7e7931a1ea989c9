# A star import of flax, jax or numpy binds no builtin's name: checks narrow.
from flax.nnx import *  # noqa: F403
from jax.numpy import *  # noqa: F403
from flax import nnx


def check(v):
    if isinstance(v, nnx.Param):
        v  # revealed: nnx.Param
