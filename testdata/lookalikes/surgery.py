"""Model surgery and backends: attributes replaced from outside the class, classes defined
per backend, async flows."""

import dataclasses
import enum

import jax.numpy as jnp
from flax import nnx

BACKEND = "nnx"


class Level(enum.Enum):
    LOW = 0


@dataclasses.dataclass
class Frozen:
    value: float


if BACKEND == "nnx":

    class Scale(nnx.Module):
        def __init__(self):
            self.factor = nnx.Param(jnp.ones(()))

else:

    class Scale:
        def __init__(self):
            self.factor = Frozen(1.0)


def apply_scale(s: Scale):
    return s.factor.value  # LOOKALIKE: Scale is defined twice; one definition holds a Frozen dataclass


class Model(nnx.Module):
    def __init__(self):
        self.temperature = nnx.Param(jnp.ones(()))
        self.w, self.mode = nnx.Param(jnp.ones(3)), Level.LOW

    def __call__(self, x):
        return x / self.temperature.value  # LOOKALIKE: freeze() below replaces it with a Frozen dataclass

    def mode_name(self):
        return self.mode.value  # LOOKALIKE: bound by tuple unpacking to an Enum


def freeze(m: Model):
    m.temperature = Frozen(1.0)


async def load_async(loader):
    w = nnx.Param(jnp.ones(3))
    w = await loader()
    return w.value  # LOOKALIKE: rebound to an awaited result


async def iterate_async(stream):
    w = nnx.Param(jnp.ones(3))
    async for w in stream:
        pass
    return w.value  # LOOKALIKE: `async for` rebinds w


async def with_async(ctx):
    w = nnx.Param(jnp.ones(3))
    async with ctx as w:
        return w.value  # LOOKALIKE: `async with ... as w` rebinds
