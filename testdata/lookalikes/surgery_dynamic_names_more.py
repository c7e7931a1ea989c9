"""More attribute stores under run-time names: vars(m).update, m.__dict__[k] = v,
object.__setattr__ with a computed name, a helper whose receiver is only known from its
callers, a loader method on the class itself, and a store typed as the base class."""

import dataclasses

import jax.numpy as jnp
from flax import nnx


@dataclasses.dataclass
class Frozen:
    value: float


class Gate(nnx.Module):
    def __init__(self):
        self.gain = nnx.Param(jnp.ones(()))

    def __call__(self, x):
        return x * self.gain.value  # LOOKALIKE: thaw() replaces attributes through vars(m).update


def thaw(m: Gate, overrides: dict):
    vars(m).update(overrides)


class Shift(nnx.Module):
    def __init__(self):
        self.offset = nnx.Param(jnp.zeros(()))

    def __call__(self, x):
        return x + self.offset.value  # LOOKALIKE: patch_dict() writes m.__dict__[key] for keys from a config


def patch_dict(m: Shift, config):
    for key in config:
        m.__dict__[key] = Frozen(config[key])


class Norm(nnx.Module):
    def __init__(self):
        self.eps = nnx.Variable(jnp.full((), 1e-6))

    def __call__(self, x):
        return x / (x.std() + self.eps.value)  # LOOKALIKE: force() calls object.__setattr__ with a computed name


def force(m: Norm, attribute: str, value):
    object.__setattr__(m, attribute.lower(), value)


class Head(nnx.Module):
    def __init__(self):
        self.logit_scale = nnx.Param(jnp.ones(()))

    def __call__(self, x):
        return x * self.logit_scale.value  # LOOKALIKE: override() (a generic helper) is given a Head


def override(obj, **fields):
    for name, field in fields.items():
        setattr(obj, name, field)


def freeze_head(head: Head):
    override(head, logit_scale=Frozen(1.0))


class Restorable(nnx.Module):
    def __init__(self):
        self.step = nnx.Variable(jnp.zeros((), jnp.int32))

    def load(self, saved: dict):
        for name, item in saved.items():
            setattr(self, name, item)

    def next_step(self):
        return self.step.value + 1  # LOOKALIKE: load() may put any saved object in any attribute


class Base(nnx.Module):
    pass


class Leaf(Base):
    def __init__(self):
        self.weight = nnx.Param(jnp.ones(()))

    def __call__(self, x):
        return x * self.weight.value  # LOOKALIKE: reset_all() stores by name on any Base, a Leaf included


def reset_all(modules: list[Base], name: str):
    for module in modules:
        setattr(module, name, None)


class Configurable(nnx.Module):
    def __init__(self, **options):
        self.dropout = nnx.Variable(jnp.full((), 0.1))
        for key, option in options.items():
            super().__setattr__(key, option)

    def rate(self):
        return self.dropout.value  # LOOKALIKE: any keyword of __init__ may replace dropout through super().__setattr__
