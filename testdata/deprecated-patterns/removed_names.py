# Reported, not rewritten: flax names removed with no replacement of the same meaning
# (lines 4, 10, 11, 12); other packages' names alike and nnx names that exist stay silent.
from flax import nnx
from flax.nnx import fork, jit
from mylib import Jit as OtherJit


class Model(nnx.Module):
    def go(self, x, state):
        y = nnx.mutable_array(x)
        z = nnx.array_ref(x)
        return nnx.Vmap, fork, y, z, nnx.fork_rngs, jit, OtherJit, nnx.split_rngs
