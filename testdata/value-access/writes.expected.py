import jax.numpy as jnp
from flax import nnx


class Stats(nnx.Module):
    def __init__(self):
        self.count = nnx.BatchStat(jnp.zeros((), jnp.int32))
        self.total = nnx.BatchStat(jnp.zeros(()))
        self.steps = nnx.Variable(0)

    def __call__(self, x, stats=None):
        self.count[...] += 1
        self.count[...] -= 2
        self.total.set_value(self.total.get_value() + x.sum())
        self.total.set_value(self.total.get_value() * 0.5)
        self.total.set_value(jnp.zeros(())); self.steps.set_value(self.steps.get_value() + 1)
        self.total.set_value(self.total.get_value() + (
            x.mean()  # keep me
            + 1.0
        ))
        self.total.set_value(self.total.get_value() / 2)
        self.total.set_value(self.total[...] + 1.0)
        return self.total[...]


def bump(stats: Stats, x):
    stats.count[...] += 1
    stats.total.set_value(stats.total.get_value() + x)
    stats.steps.set_value(stats.steps.get_value() * 2)
