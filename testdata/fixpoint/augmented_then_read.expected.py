# `v1 += v2` on a Variable keeps the Variable in the name (flax 0.10/0.11 return it from
# the in-place operator; the migrated `v1.set_value(...)` never rebinds it): a later
# `v1.value` is the same Variable's, rewritten in the same run.
import jax.numpy as jnp
from flax import nnx


def add(v1: nnx.Param, v2: nnx.Param):
    v1.set_value(v1.get_value() + v2)
    return v1.get_value()


def scale_then_shift(v: nnx.BatchStat, y):
    v.set_value(v.get_value() * 2)
    v.set_value(v.get_value() - y)
    return v.get_value()


def add_local():
    v1 = nnx.Param(jnp.ones(3))
    v1[...] += 1
    print(v1[...])


class Counter(nnx.Variable):
    def __iadd__(self, other):  # its own in-place operator: `c += 1` is whatever it returns
        return other


def own_operator(c: Counter):
    c += 1
    return c.value
