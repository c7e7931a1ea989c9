"""Module attributes whose container values are computed from Modules (through helpers,
comprehensions, builtins) but hold no Module, Variable or array."""

import enum
import functools

import jax.numpy as jnp
from flax import nnx


class Level(enum.Enum):
    LOW = 0


def second(x, y):
    return y


def names_of(layers):
    return [type(l).__name__ for l in layers]


def shapes(layers):
    return [l.kernel.shape for l in layers]


class Model(nnx.Module):
    def __init__(self, n, *, rngs: nnx.Rngs):
        layers = [nnx.Linear(2, 2, rngs=rngs) for _ in range(n)]
        self.seq = nnx.Sequential(*layers)
        self.specs = second(layers, ["a", "b"])  # LOOKALIKE: helper returns its second argument, a list of strings
        self.names = names_of(layers)  # LOOKALIKE: a helper returning a list of class names
        self.shapes = shapes(layers)  # LOOKALIKE: a helper returning a list of shapes
        self.first_kernel_shape = [layers[0].kernel.shape]  # LOOKALIKE: a list of one shape tuple
        self.counts = [len(layers)]  # LOOKALIKE: a list of one int
        self.kinds = [Level.LOW for _ in layers]  # LOOKALIKE: Enum members, one per layer
        self.partials = [functools.partial(nnx.Linear, 2) for _ in range(n)]  # LOOKALIKE: partials of a Module class, not Modules
        self.strs = list(map(str, layers))  # LOOKALIKE: strings made from the layers
        self.ids = {id(l): i for i, l in enumerate(layers)}  # LOOKALIKE: a dict from ids to ints (keys made from Modules)
        self.layer_types = {type(l) for l in layers}  # LOOKALIKE: a set of classes
        self.mask = [True] * n  # LOOKALIKE: a list of bools
        self.indices = list(range(n))  # LOOKALIKE: a list of ints
        self.cfg = dict(width=2, depth=n)  # LOOKALIKE: a dict of ints from dict()
        self.maybe = [None for _ in range(n)]  # LOOKALIKE: a list of None
        self.getters = [lambda: l for l in layers]  # LOOKALIKE: lambdas closing over layers: functions, not Modules
        self.tuples = [(i, "x") for i in range(n)]  # LOOKALIKE: tuples of ints and strings

    def __call__(self, x):
        return self.seq(x)
