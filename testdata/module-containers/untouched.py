import jax.numpy as jnp
from flax import nnx


def relu(x):
    return x


class Config:
    def __init__(self, rngs: nnx.Rngs):
        self.layers = [nnx.Linear(2, 2, rngs=rngs)]  # not a Module: nothing to do


class Legacy(nnx.Module, pytree=False):
    def __init__(self, rngs: nnx.Rngs):
        self.layers = [nnx.Linear(2, 2, rngs=rngs)]


class Plain(nnx.Module):
    def __init__(self, sizes, rngs: nnx.Rngs):
        self.sizes = [1, 2, 3]
        self.names = ["a", "b"]
        self.activations = [relu, jnp.tanh]
        self.given = list(sizes)
        self.options = {}
        self.seq = nnx.Sequential(nnx.Linear(2, 2, rngs=rngs))
        self.already = nnx.List([nnx.Linear(2, 2, rngs=rngs)])
