"""Deferred reads: generator expressions, closures and lambdas see a name's binding when
they run, not when they are made."""

import enum

import jax.numpy as jnp
from flax import nnx


class Level(enum.Enum):
    LOW = 0


def lazy_generator():
    w = nnx.Param(jnp.ones(3))
    gen = (w.value for _ in range(3))  # LOOKALIKE: a generator runs when consumed: by then w is an Enum
    w = Level.LOW
    return list(gen)


def closure_after():
    w = nnx.Param(jnp.ones(3))

    def read():
        return w.value  # LOOKALIKE: a closure reads w when called: an Enum by then

    w = Level.LOW
    return read()


def lambda_after():
    w = nnx.Param(jnp.ones(3))
    read = lambda: w.value  # noqa: E731  # LOOKALIKE: the lambda reads w when called
    w = Level.LOW
    return read()


def generator_function():
    w = nnx.Param(jnp.ones(3))

    def values():
        yield w.value  # LOOKALIKE: a generator function runs after w is rebound

    it = values()
    w = Level.LOW
    return next(it)


def default_evaluated_early():
    w = Level.LOW

    def read(v=w):
        return v.value  # LOOKALIKE: the default was evaluated when w was the Enum

    w = nnx.Param(jnp.ones(3))
    return read()


def class_body_reads_at_definition():
    w = Level.LOW

    class Snapshot:
        level = w.value  # LOOKALIKE: a class body runs at once: w is the Enum here

    w = nnx.Param(jnp.ones(3))
    return Snapshot, w
