import jax.numpy as jnp
from flax import nnx


class Stats(nnx.Module):
    def __init__(self):
        self.count = nnx.BatchStat(jnp.zeros((), jnp.int32))
        self.total = nnx.BatchStat(jnp.zeros(()))
        self.steps = nnx.Variable(0)

    def __call__(self, x, stats=None):
        self.count.value += 1
        self.count.value -= 2
        self.total.value += x.sum()
        self.total.value *= 0.5
        self.total.value = jnp.zeros(()); self.steps.value += 1
        self.total.value += (
            x.mean()  # keep me
            + 1.0
        )
        self.total.value /= 2
        self.total.value = self.total.value + 1.0
        return self.total.value


def bump(stats: Stats, x):
    stats.count += 1
    stats.total += x
    stats.steps *= 2
