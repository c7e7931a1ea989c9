# The 0.10 docs' scan over layers: reported, the `@nnx.split_rngs` over the scanned
# `__call__` (line 20); not the one on `__init__`, not `Plain` (no split over its scan),
# not `Unmapped` (its `__init__` is not vmapped: its rngs are split per call), not
# `Drawn` (no layer keeps a stream: nothing is split twice), not `OnlyParams` (the
# splits are filtered: flax 0.11.2's own test, which runs there).
import jax
import jax.numpy as jnp
from flax import nnx

state_axes = nnx.StateAxes({(nnx.Param, nnx.RngState): 0, ...: None})


class Layers(nnx.Module):
    @nnx.split_rngs(splits=5)
    @nnx.vmap(in_axes=(state_axes, state_axes), axis_size=5)
    def __init__(self, rngs: nnx.Rngs):
        self.linear = nnx.Linear(3, 3, rngs=rngs)
        self.dropout = nnx.Dropout(0.5, rngs=rngs)

    @nnx.split_rngs(splits=5)
    @nnx.scan(in_axes=(state_axes, nnx.Carry), out_axes=nnx.Carry)
    def __call__(self, x):
        return self.dropout(nnx.gelu(self.linear(x)))


class Plain(nnx.Module):
    @nnx.split_rngs(splits=5)
    @nnx.vmap(in_axes=(state_axes, state_axes), axis_size=5)
    def __init__(self, rngs: nnx.Rngs):
        self.linear = nnx.Linear(3, 3, rngs=rngs)

    @nnx.scan(in_axes=(state_axes, nnx.Carry), out_axes=nnx.Carry)
    def __call__(self, x):
        return nnx.gelu(self.linear(x))


class Unmapped(nnx.Module):
    def __init__(self, rngs: nnx.Rngs):
        self.rngs = rngs

    @nnx.split_rngs(splits=5)
    @nnx.scan(in_axes=(nnx.Carry, 0), out_axes=nnx.Carry)
    def draw(self, x, rngs: nnx.Rngs):
        return x + jax.random.uniform(rngs.params())


class Drawn(nnx.Module):
    @nnx.split_rngs(splits=5)
    @nnx.vmap(in_axes=(state_axes, state_axes), axis_size=5)
    def __init__(self, rngs: nnx.Rngs):
        self.linear = nnx.Linear(3, 3, rngs=rngs)

    @nnx.split_rngs(splits=5)
    @nnx.scan(in_axes=(state_axes, nnx.Carry), out_axes=nnx.Carry)
    def __call__(self, x):
        return nnx.gelu(self.linear(x))


params_axes = nnx.StateAxes({(nnx.Param, "params"): 0, ...: None})


class OnlyParams(nnx.Module):
    @nnx.split_rngs(splits=5, only="params")
    @nnx.vmap(in_axes=(params_axes, params_axes), axis_size=5)
    def __init__(self, rngs: nnx.Rngs):
        self.linear = nnx.Linear(3, 3, rngs=rngs)
        self.dropout = nnx.Dropout(0.5, rngs=rngs)

    @nnx.split_rngs(splits=5, only="params")
    @nnx.scan(in_axes=(params_axes, nnx.Carry), out_axes=nnx.Carry)
    def __call__(self, x):
        return self.dropout(nnx.gelu(self.linear(x)))


print(Drawn(rngs=nnx.Rngs(0))(jnp.ones((1, 3))).shape, OnlyParams(rngs=nnx.Rngs(params=0, dropout=1))(jnp.ones((1, 3))).shape)
model = Layers(rngs=nnx.Rngs(0))
print(jax.tree.map(jnp.shape, nnx.state(model, nnx.Param)))
print(model(jnp.ones((1, 3))).shape)
