# Reported: an nnx.Sequential called with keyword arguments (lines 19 and 29, through
# `**kwargs`); not one given only `rngs` (line 20), not another Module's call with keywords
# (line 21), not a Sequential of one layer or none (line 34: the keywords reach the same
# place), not a subclass with its own `__call__` (line 43).
import jax.numpy as jnp
from flax import nnx


class Block(nnx.Module):
    def __init__(self, rate, *, rngs: nnx.Rngs):
        self.dropout = nnx.Dropout(rate, rngs=rngs)

    def __call__(self, x, deterministic=False):
        return self.dropout(x, deterministic=deterministic)


rngs = nnx.Rngs(0)
model = nnx.Sequential(Block(0.5, rngs=rngs), Block(0.5, rngs=rngs))
evaluated = model(jnp.ones(8), deterministic=True)  # 0.12.10: the first Block only
trained = model(jnp.ones(8), rngs=nnx.Rngs(1))
single = Block(0.5, rngs=rngs)(jnp.ones(8), deterministic=True)


class Net(nnx.Module):
    def __init__(self, *, rngs: nnx.Rngs):
        self.body = nnx.Sequential(Block(0.1, rngs=rngs), nnx.Linear(8, 2, rngs=rngs))

    def __call__(self, x, **kwargs):
        return self.body(x, **kwargs)


one = nnx.Sequential(Block(0.5, rngs=rngs))
empty = nnx.Sequential()
print(one(jnp.ones(8), deterministic=True), empty(k=2))
print(evaluated, trained.shape, single.shape, Net(rngs=rngs)(jnp.ones(8)).shape)


class Routed(nnx.Sequential):  # its own __call__ decides where the keywords go
    def __call__(self, x, deterministic=False):
        return self.layers[-1](self.layers[0](x), deterministic=deterministic)


print(Routed(Block(0.5, rngs=rngs), Block(0.5, rngs=rngs))(jnp.ones(8), deterministic=True))
