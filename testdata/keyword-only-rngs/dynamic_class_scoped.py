"""`type(x)(...)` where x is shown not to be a Module (a Variable, a list or tuple) calls
no project constructor: the signature is still made keyword-only."""
import jax.numpy as jnp
from flax import nnx


class Block(nnx.Module):
    def __init__(self, width, rngs: nnx.Rngs):
        self.linear = nnx.Linear(width, width, rngs=rngs)


def rescale(v):
    if isinstance(v, nnx.Variable):
        return type(v)(jnp.sqrt(v.value))
    return v


def merge(tree, updates):
    if isinstance(tree, list | tuple):
        return type(tree)(updates)
    return updates


def build(rngs):
    return Block(4, rngs)
