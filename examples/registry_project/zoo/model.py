"""A model assembled from the registry, and helpers that reach its layers through
`getattr` and `__dict__`: only a run shows which of these `.value`s are flax Variables."""

import enum

import jax.numpy as jnp
from flax import nnx

from zoo.layers import LAYERS


class Activation(enum.Enum):
    TANH = "tanh"
    RELU = "relu"


class Setting:
    """A plain object with a `.value`: not flax, must stay as it is."""

    def __init__(self, value):
        self.value = value


class Model(nnx.Module):
    def __init__(self, kinds, dim, rngs):
        self.blocks = [LAYERS[kind](dim, dim, rngs) for kind in kinds]
        for i, kind in enumerate(kinds):
            setattr(self, f"layer{i}", LAYERS[kind](dim, dim, rngs))
        self.depth = len(kinds)
        self.activation = Activation.TANH

    def __call__(self, x):
        for block in self.blocks:
            x = block(x)
        for i in range(self.depth):
            x = getattr(self, f"layer{i}")(x)
        return jnp.tanh(x) if self.activation is Activation.TANH else nnx.relu(x)


def gain_of(module):
    gain = module.__dict__.get("gain")
    return None if gain is None else float(gain.value.sum())


def kernel_norm(model):
    total = 0.0
    for i in range(model.depth):
        kernel = getattr(getattr(model, f"layer{i}"), "kernel", None)
        if kernel is not None:
            total += float(jnp.sum(kernel.value ** 2))
    return total


def count_calls(model):
    counter = getattr(model.blocks[1], "calls")
    counter += 1
    return counter.value


def describe(model, learning_rate):
    counter = getattr(model.blocks[1], "calls")
    return (f"activation {model.activation.value} {Activation.RELU.value} "
            f"lr {learning_rate.value} calls {int(counter.value)}")


def debug_kernels(model):
    """Never called by train.py: this `.value` is neither proven nor executed, so it stays."""
    return [getattr(layer, "kernel").value for layer in model.blocks if hasattr(layer, "kernel")]
