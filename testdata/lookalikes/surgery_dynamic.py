"""Model surgery through setattr, vars() and object.__setattr__: the attribute may hold a
plain dataclass afterwards."""

import dataclasses

import jax.numpy as jnp
from flax import nnx


@dataclasses.dataclass
class Frozen:
    value: float


class Model(nnx.Module):
    def __init__(self):
        self.temperature = nnx.Param(jnp.ones(()))
        self.bias = nnx.Param(jnp.zeros(()))
        self.scale = nnx.Param(jnp.ones(()))

    def __call__(self, x):
        return x / self.temperature.value + self.bias.value * self.scale.value  # LOOKALIKE: each attribute is replaced by a Frozen dataclass below


def freeze_setattr(m: Model):
    setattr(m, "temperature", Frozen(1.0))


def freeze_dict(m: Model):
    vars(m)["bias"] = Frozen(0.0)


def freeze_object_setattr(m: Model):
    object.__setattr__(m, "scale", Frozen(1.0))
