"""Project code named like flax's API: an Optimizer() function, a Module with its own
iter_modules reached through a caller, `mode` attributes that are Variables in one class
and Enums in others."""

import enum

import jax.numpy as jnp
import optax
from flax import nnx


def Optimizer(model, tx):  # noqa: N802  a project wrapper named like flax's class
    return nnx.Optimizer(model, tx, wrt=nnx.Param)


class Trainer:
    def __init__(self, model):
        self.optimizer = Optimizer(model, optax.adam(1e-3))  # LOOKALIKE: the project's own Optimizer() function, no wrt= to add
        self.model = model

    def step(self, grads):
        self.optimizer.update(self.model, grads)


def wrapped_update(model, grads):
    opt = Optimizer(model, optax.sgd(0.1))  # LOOKALIKE: same
    opt.update(model, grads)
    return opt


class Tree(nnx.Module):
    def __init__(self, children):
        self.children = nnx.List(children)

    def iter_modules(self):
        yield from self.children


def walk(tree):
    return list(tree.iter_modules())  # LOOKALIKE: its only caller passes a Tree, whose own iter_modules differs from nnx's


def _walk_private(tree):
    return list(tree.iter_modules())  # LOOKALIKE: same, private


def main():
    t = Tree([])
    return walk(t), _walk_private(t)


class Mode(enum.Enum):
    TRAIN = 0


class A(nnx.Module):
    def __init__(self):
        self.mode = nnx.Variable(jnp.zeros(()))


class B(nnx.Module):
    mode = Mode.TRAIN  # a class attribute


class C(nnx.Module):
    def __init__(self):
        object.__setattr__(self, "mode", Mode.TRAIN)


def read_mode(m: nnx.Module):
    return m.mode.value  # LOOKALIKE: A's Variable or B's Enum class attribute


def read_mode_b(b: B):
    return b.mode.value  # LOOKALIKE: B's class attribute, an Enum


def read_mode_c(c: C):
    return c.mode.value  # LOOKALIKE: set through object.__setattr__ to an Enum


class D(nnx.Module):
    def __init__(self, modes):
        for name, value in modes.items():
            setattr(self, name, value)


def read_mode_d(d: D):
    return d.mode.value  # LOOKALIKE: set by name in __init__ from a dict
