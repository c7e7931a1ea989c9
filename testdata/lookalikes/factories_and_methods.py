"""Classmethod / staticmethod factories and methods whose result is not what their class
suggests; attribute narrowing across calls that reassign the attribute."""

import dataclasses
import enum

import jax.numpy as jnp
from flax import nnx


class Color(enum.Enum):
    RED = 1


@dataclasses.dataclass
class Frozen:
    value: float


class Temperature(nnx.Variable):
    @classmethod
    def frozen(cls, x):
        return Frozen(x)  # not cls(...)

    @classmethod
    def with_tag(cls, x):
        return cls(x), Color.RED

    @classmethod
    def klass(cls):
        return cls

    @staticmethod
    def parse(text):
        return Color[text]


def classmethod_returns_dataclass():
    return Temperature.frozen(1.0).value  # LOOKALIKE: Frozen dataclass


def classmethod_tuple_second():
    v, tag = Temperature.with_tag(jnp.ones(3))
    return tag.value  # LOOKALIKE: the tuple's second item is an Enum


def classmethod_returns_class():
    return Temperature.klass().value  # LOOKALIKE: the class itself: `value` is the property object


def staticmethod_returns_enum():
    return Temperature.parse("RED").value  # LOOKALIKE: an Enum member


class Block(nnx.Module):
    def __init__(self, w):
        self.w = nnx.Param(w)
        self.frozen = False

    @classmethod
    def from_registry(cls, registry, name):
        return registry[name]

    @classmethod
    def default_color(cls):
        return Color.RED

    def freeze(self):
        self.w = Frozen(1.0)  # the Param is swapped for a plain holder
        self.frozen = True

    def read_after_freeze(self):
        if isinstance(self.w, nnx.Param):
            self.freeze()
            return self.w.value  # LOOKALIKE: freeze() reassigned self.w between the check and the read

    def tag(self):
        return Color.RED

    def tagged(self):
        return self.tag().value  # LOOKALIKE: a method returning an Enum


def registry_lookup(registry):
    return Block.from_registry(registry, "a").value  # LOOKALIKE: an item of an unknown registry


def classmethod_enum():
    return Block.default_color().value  # LOOKALIKE: classmethod returns an Enum


def instance_calls_classmethod(b: Block):
    return b.default_color().value  # LOOKALIKE: classmethod through an instance, still an Enum


def type_of_instance(b: Block):
    return type(b).default_color().value  # LOOKALIKE: classmethod through type(b)


class Registry(dict):
    def lookup(self, name):
        return self[name]


def subclass_of_dict(r: Registry):
    return r.lookup("w").value  # LOOKALIKE: a dict subclass's item: unknown


class Mixin:
    @property
    def scale(self):
        return Frozen(2.0)


class Scaled(Mixin, nnx.Module):
    def __init__(self):
        self.bias = nnx.Param(jnp.zeros(()))


def mixin_property_before_module(s: Scaled):
    return s.scale.value  # LOOKALIKE: Mixin.scale (a Frozen), not a LayerNorm-style Param


class ClassBodyComprehension:
    w = Color.RED


w = Color.RED


class ModuleWithClassLevelParam(nnx.Module):
    w = nnx.Param(jnp.ones(3))  # noqa: B008  a class attribute
    levels = [w.value for _ in range(2)]  # LOOKALIKE: a comprehension in a class body sees the module-level w (an Enum)
