# nnx-migrate-test: --unsafe-fixes
import jax.numpy as jnp
from flax import nnx


class Dense(nnx.Module):
    def __init__(self, *, rngs: nnx.Rngs):
        init = nnx.with_partitioning(nnx.initializers.lecun_normal(), (None, "model"))
        self.linear = nnx.Linear(4, 8, kernel_init=init, rngs=rngs)


class Head(nnx.Module):
    def __init__(self, width: int):
        self.scale = nnx.Param(jnp.ones(width), sharding=("model",))


def make(seed):
    return Dense(rngs=nnx.Rngs(seed))
