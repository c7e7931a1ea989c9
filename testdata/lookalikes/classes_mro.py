"""Classes whose `value` is not a Variable's: properties, overrides, submodules called
`value`, classmethod factories returning something else, MRO surprises."""

import dataclasses
import enum

import jax.numpy as jnp
from flax import nnx


class Color(enum.Enum):
    RED = 1


class ValueMixin:
    @property
    def value(self):
        return "mixin"

    @value.setter
    def value(self, v):
        self._v = v


class MixedVariable(ValueMixin, nnx.Variable):
    """A Variable subclass whose `value` comes from a mixin earlier in the MRO."""


def mixin_value():
    v = MixedVariable(jnp.ones(3))
    return v.value  # LOOKALIKE: ValueMixin.value wins in the MRO


def mixin_value_write():
    v = MixedVariable(jnp.ones(3))
    v.value = 3  # LOOKALIKE: ValueMixin's setter, not Variable's


class PropertyModule(nnx.Module):
    @property
    def value(self):
        return 42


def module_property():
    return PropertyModule().value  # LOOKALIKE: a Module's own property called `value`


class Attention(nnx.Module):
    def __init__(self, d, *, rngs: nnx.Rngs):
        self.query = nnx.Linear(d, d, rngs=rngs)
        self.key = nnx.Linear(d, d, rngs=rngs)
        self.value = nnx.Linear(d, d, rngs=rngs)

    def __call__(self, x):
        return self.value(x)  # LOOKALIKE: calling the `value` submodule


def submodule_named_value(attn: Attention):
    proj = attn.value  # LOOKALIKE: the `value` submodule itself
    return proj.kernel


def mha_value(mha: nnx.MultiHeadAttention):
    return mha.value  # LOOKALIKE: MultiHeadAttention's `value` LinearGeneral


def mha_value_in_call(mha: nnx.MultiHeadAttention, x):
    return jnp.sum(mha.value(x))  # LOOKALIKE: calling MultiHeadAttention's `value` submodule


class Factory(nnx.Module):
    registry: dict = {}

    def __init__(self, w):
        self.w = nnx.Param(w)

    @classmethod
    def lookup(cls, name):
        return cls.registry[name]  # not cls(...)

    @classmethod
    def color(cls):
        return Color.RED

    @staticmethod
    def boxed(x):
        return Box(x)


@dataclasses.dataclass
class Box:
    value: object


def classmethod_returns_registry_item():
    return Factory.lookup("a").value  # LOOKALIKE: a registry item of unknown type


def classmethod_returns_enum():
    return Factory.color().value  # LOOKALIKE: the classmethod returns an Enum


def staticmethod_returns_box():
    return Factory.boxed(nnx.Param(jnp.ones(3))).value  # LOOKALIKE: a Box wrapping the Param


class Base(nnx.Module):
    def __init__(self):
        self.scale = nnx.Param(jnp.ones(()))


class Overrider(Base):
    def __init__(self):
        super().__init__()
        self.scale = Box(2.0)  # rebinds the base's Param to a plain Box

    def read(self):
        return self.scale.value  # LOOKALIKE: in this class `scale` is a Box (join with the base's Param: unknown)


class Holder(nnx.Module):
    def __init__(self, mode: Color):
        self.mode = mode
        self.cell = Box(0)

    def read(self):
        return self.mode.value, self.cell.value  # LOOKALIKE: an Enum and a dataclass on a Module


class NotAModule:
    def __init__(self):
        self.w = Box(1)

    def read(self):
        return self.w.value  # LOOKALIKE: a plain class holding a dataclass


class Param:
    """A project class named like flax's Param, in a file that also uses flax."""

    def __init__(self, value):
        self.value = value


def local_param_class():
    return Param(3).value  # LOOKALIKE: the file's own Param, not nnx.Param


class Module:
    def iter_modules(self):
        return iter([self])


def local_module_class():
    return list(Module().iter_modules())  # LOOKALIKE: the file's own Module.iter_modules


class Diamond(ValueMixin, Base):
    pass


def diamond_value():
    return Diamond().value  # LOOKALIKE: ValueMixin.value on a Module


class Delegating(nnx.Module):
    def __init__(self, inner):
        self.inner = inner

    def __getattr__(self, name):
        return getattr(self.inner, name)


def delegated(d: Delegating):
    return d.value  # LOOKALIKE: dynamic attribute of a Module: unknown


class VariableWithOwnValue(nnx.Variable):
    @property
    def value(self):
        return "custom"


def own_value_property():
    return VariableWithOwnValue(jnp.ones(3)).value  # LOOKALIKE: the subclass implements `value` itself

