"""Model surgery with attribute names known only at run time: setattr(m, name, ...),
m.__dict__.update(...), m.__setattr__(k, v). Any attribute of the class may be replaced."""

import dataclasses

import jax.numpy as jnp
from flax import nnx


@dataclasses.dataclass
class Frozen:
    value: float


class Model(nnx.Module):
    def __init__(self):
        self.temperature = nnx.Param(jnp.ones(()))

    def __call__(self, x):
        return x / self.temperature.value  # LOOKALIKE: freeze_all() may set any attribute, by name, to a Frozen dataclass


def freeze_all(m: Model, names):
    for name in names:
        setattr(m, name, Frozen(1.0))


class Other(nnx.Module):
    def __init__(self):
        self.scale = nnx.Param(jnp.ones(()))

    def __call__(self, x):
        return x * self.scale.value  # LOOKALIKE: freeze_kwargs() updates the instance __dict__ with arbitrary values


def freeze_kwargs(m: Other, **frozen):
    m.__dict__.update(frozen)


class Third(nnx.Module):
    def __init__(self):
        self.bias = nnx.Param(jnp.ones(()))

    def __call__(self, x):
        return x + self.bias.value  # LOOKALIKE: load_into() calls __setattr__ with names and values from a dict


def load_into(m: Third, values: dict):
    for k, v in values.items():
        m.__setattr__(k, v)
