# 0.10's VariableState.to_variable() (AttributeError from 0.11.0) -> copy(): a new Variable
# of the same type, value and metadata. Not rewritten: another object's to_variable().
import jax.numpy as jnp
from flax import nnx


class Record:
    def to_variable(self):
        return "record"


weight = nnx.Param(jnp.arange(3.0), tag="w")
state = weight.to_state()
again = state.to_variable()
direct = weight.to_state().to_variable()
print(type(again).__name__, again is weight, again[...], again.tag, type(direct).__name__)
# a leaf of the State of a Linear: the VariableState of its bias
leaf = nnx.state(nnx.Linear(2, 2, rngs=nnx.Rngs(0)))["bias"].to_variable()
print(type(leaf).__name__)
print(Record().to_variable())
