# A star import of a module outside flax, jax, numpy, optax and typing may bind
# `isinstance` or `type`: no check in the file narrows.
from flax import nnx
from project_helpers import *  # noqa: F403


def check(v):
    if isinstance(v, nnx.Param):
        v  # revealed: unknown
    v if type(v) is nnx.Param else None  # revealed: unknown
