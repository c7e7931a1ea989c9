# Near-misses: a constructor under a transform that maps or splits its arguments by
# position (flax's scan-over-layers pattern) keeps `rngs` positional: with `rngs=`
# passed by keyword, `nnx.vmap` raises "keyword arguments could not be resolved to positions".
import jax
from flax import nnx


state_axes = nnx.StateAxes({(nnx.Param, "params"): 0, ...: None})


class Stack(nnx.Module):
    @nnx.split_rngs(splits=5)
    @nnx.vmap(in_axes=(state_axes, state_axes), axis_size=5)
    def __init__(self, rngs: nnx.Rngs):
        self.linear = nnx.Linear(3, 3, rngs=rngs)


class Remat(nnx.Module):
    @nnx.remat
    def __init__(self, rngs: nnx.Rngs):
        self.linear = nnx.Linear(3, 3, rngs=rngs)


class Vmapped(nnx.Module):
    @jax.vmap
    def __init__(self, rngs):
        self.linear = nnx.Linear(3, 3, rngs=rngs)


stack = Stack(nnx.Rngs(params=0))
remat = Remat(nnx.Rngs(0))
