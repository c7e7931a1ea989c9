"""What the code itself declares or shows: properties, private methods typed by their
callers, `type(x) is C`, `typing.cast`, module-level aliases of flax classes."""
import functools
import typing
from typing import cast

import jax.numpy as jnp
from flax import nnx

P = nnx.Param
CacheAlias = nnx.Cache


class Model(nnx.Module):
    def __init__(self, rngs: nnx.Rngs):
        self.w = P(jnp.ones(3))  # an alias of nnx.Param makes a Param
        self.linear = nnx.Linear(2, 2, rngs=rngs)
        self.count = nnx.BatchStat(jnp.zeros(()))

    @property
    def weight(self):
        return self.w

    @property
    def kernel(self) -> nnx.Param:
        return self.linear.kernel

    @functools.cached_property
    def bias_alias(self):
        return self.linear.bias

    def _scaled(self, variable, factor=2):
        # every caller passes a Variable: read exactly, whatever it holds
        return variable.value * factor

    def __call__(self, x):
        y = x * self.weight.value + self.kernel.value.sum() + self.bias_alias.value
        return y + self._scaled(self.w) + self._scaled(self.count, factor=3)


class Child(Model):
    def __call__(self, x):
        return super()._scaled(self.count) + x


def exact_type(v, other):
    if type(v) is nnx.Param:
        return v.value
    return other


def declared(x, y):
    a = cast(nnx.Param, x).value
    b = typing.cast("nnx.BatchStat", y).value
    return a + b


def aliased_annotation(c: CacheAlias):
    return c.value
