"""Classmethod factories that do not return `cls(...)` of a plain Variable."""

import dataclasses
import enum

import jax.numpy as jnp
from flax import nnx


class Color(enum.Enum):
    RED = 1


@dataclasses.dataclass
class Frozen:
    value: float


class Temp(nnx.Variable):
    @classmethod
    def make(cls, x):
        cls = Frozen  # noqa: PLW0642  rebinds cls
        return cls(x)

    @classmethod
    def via_super(cls, x):
        return super().__new__(cls)

    @classmethod
    def cached(cls, x, _cache={}):  # noqa: B006
        return _cache.setdefault(x, Color.RED)


class Plain(Temp):
    @property
    def value(self):
        return "plain"


def f1():
    return Temp.make(1.0).value  # LOOKALIKE: cls is rebound to the Frozen dataclass inside make()


def f2():
    return Temp.via_super(1.0).value  # LOOKALIKE: an object made by __new__ without __init__: unknown


def f3():
    return Temp.cached(1.0).value  # LOOKALIKE: an Enum from the classmethod's cache


def f4():
    maker = Temp.make
    return maker(2.0).value  # LOOKALIKE: the bound classmethod through a name, same Frozen


def f5():
    return Plain.make(1.0).value  # LOOKALIKE: Plain implements value itself, and make() returns a Frozen anyway
