"""Instances whose class is swapped at run time (`m.__class__ = Frozen`, also through
object.__setattr__ or setattr): what the original class binds says nothing after that. And a
Variable class with its own in-place operator: `v += x` is its own, not flax's (which raises)."""

import jax.numpy as jnp
from flax import nnx


class FrozenModel(nnx.Module):
    @property
    def w(self):
        return Constant(1.0)


class Constant:
    def __init__(self, value):
        self.value = value


class Model(nnx.Module):
    def __init__(self):
        self.w = nnx.Param(jnp.ones(3))

    def __call__(self, x):
        return x * self.w.value  # LOOKALIKE: freeze() swaps the class: w is then FrozenModel's property


def freeze(m: Model):
    m.__class__ = FrozenModel


class Encoder(nnx.Module):
    def __init__(self):
        self.scale = nnx.Param(jnp.ones(()))

    def __call__(self, x):
        return x * self.scale.value  # LOOKALIKE: export() swaps the class with object.__setattr__


def export(e: Encoder):
    object.__setattr__(e, "__class__", FrozenModel)


class Decoder(nnx.Module):
    def __init__(self):
        self.bias = nnx.Param(jnp.zeros(3))

    def __call__(self, x):
        return x + self.bias.value  # LOOKALIKE: demote() swaps the class with setattr


def demote(d: Decoder, target: type):
    setattr(d, "__class__", target)


class Plain:
    value = "plain"


class Counter(nnx.Module):
    def __init__(self):
        self.count = nnx.Variable(jnp.zeros((), jnp.int32))

    def read(self):
        return self.count.value  # LOOKALIKE: detach() turns the Variable itself into a Plain


def detach(c: Counter):
    c.count.__class__ = Plain


class Accumulator(nnx.Variable):
    def __iadd__(self, other):
        self.set_value(self.get_value() + other)
        return self


class Stats(nnx.Module):
    def __init__(self):
        self.total = Accumulator(jnp.zeros(()))

    def add(self, x):
        total = self.total
        total += x  # LOOKALIKE: Accumulator defines its own +=, which flax 0.12 keeps
        return total
