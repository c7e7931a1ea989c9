# `state - other` on two States warns in every release and calls statelib.diff (0.12.1+:
# on 0.10-0.12.0 both raise AttributeError unless `other` is empty). Not rewritten:
# operands not shown to be States (`minus`'s parameters), numbers.
import jax.numpy as jnp
from flax import nnx


def minus(a, b):
    return a - b


model = nnx.Linear(2, 3, rngs=nnx.Rngs(0))
everything = nnx.state(model)
params = nnx.state(model, nnx.Param)
biases = nnx.state(model, lambda path, x: path[-1] == "bias")
rest = nnx.statelib.diff(everything, biases)
print(sorted(rest.keys()), sorted(nnx.statelib.diff(everything, params).keys()))
print(jnp.sum(rest["kernel"][...]), 3 - 1)
print(minus(5, 3))
kept = nnx.statelib.diff(everything,  # the comments stay
        params)
print(sorted(kept.keys()))
