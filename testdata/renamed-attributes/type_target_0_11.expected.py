# nnx-migrate-test: --target-version 0.11
# `v.type` warns on flax 0.11.0-0.12.0: under a 0.11 target it becomes `type(v)` (the
# property's body). The migrated file runs on 0.11.2 and 0.12.8 with DeprecationWarnings
# as errors; on the default target (0.12.1+: silent) nothing changes.
import jax.numpy as jnp
from flax import nnx


class Count(nnx.Variable):
    pass


class Model(nnx.Module):
    def __init__(self, rngs: nnx.Rngs):
        self.linear = nnx.Linear(2, 2, rngs=rngs)
        self.count = Count(jnp.zeros(()))

    def kinds(self):
        return type(self.count).__name__, type(self.linear.kernel).__name__


def kind(v: nnx.Param, x: jnp.ndarray, type=None):
    return v.type, x.dtype.type  # a parameter named `type` shadows the builtin: left alone


model = Model(nnx.Rngs(0))
print(model.kinds(), isinstance(model, nnx.Module))
