# Code flow: the binding that reaches a use, narrowing by isinstance / type() / `is None`.
import jax.numpy as jnp
from flax import nnx


def rebound_after(k, other):
    x = nnx.Param(k)
    x  # revealed: nnx.Param
    x = other(x)
    x  # revealed: unknown


def rebound_before(k, other):
    x = other(k)
    x = nnx.Param(jnp.zeros(k))
    x  # revealed: nnx.Param[array]


def narrowed(v, other):
    if isinstance(v, nnx.Param):
        v  # revealed: nnx.Param
        v = other.lookup()
        v  # revealed: unknown
    if not isinstance(v, nnx.BatchStat):
        return None
    v  # revealed: nnx.BatchStat


def asserted(v):
    assert isinstance(v, nnx.Param)
    v  # revealed: nnx.Param


def by_type(v, w):
    if type(v) is nnx.Param:
        v  # revealed: nnx.Param
    if type(w) is not nnx.Param:
        w  # revealed: unknown


def walrus_in_comprehension(xs):
    v = nnx.Param(1)
    ys = [(v := 5) for x in xs]
    v  # revealed: unknown


def none_checks(c, k, other):
    x = None
    if c:
        x = nnx.Param(k)
    if x is None:
        x  # revealed: unknown
    y = None if c else nnx.Param(k)
    if y is not None:
        y  # revealed: nnx.Param


def python_values(x, z, list):
    if isinstance(x, tuple | dict):
        x  # revealed: BuiltinValue
    if isinstance(z, list):  # `list` is a parameter here
        z  # revealed: unknown


def in_place(v: nnx.Param, y):
    v += y
    v  # revealed: nnx.Param
    a = jnp.zeros(3)
    a += 1
    a  # revealed: Array
