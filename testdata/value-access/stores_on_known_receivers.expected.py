# A store to `.x` from outside a class poisons `x` only on receivers that may be an
# instance of the class: a store on an object of another class, an array or a dict
# leaves Block's `x` a Param.

import jax.numpy as jnp
from flax import nnx


class Block(nnx.Module):
    def __init__(self):
        self.x = nnx.Param(jnp.ones(3))


class Settings:
    def __init__(self):
        self.x = 1


def configure(settings: Settings, namespace: dict):
    settings.x = 2  # a Settings is never a Block
    if isinstance(namespace, dict):
        namespace.x = 3  # not a Block either (and fails at run time)


def read(block: Block):
    return block.x[...]
