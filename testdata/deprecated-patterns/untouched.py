import jax
import jax.numpy as jnp
from flax import nnx


class Recorder:
    def sow(self, kind, name, value):
        return value


def f(recorder: Recorder, model: nnx.Module, arrays):
    recorder.sow(None, "x", 1)
    keys = {"w": 1, "b": 2}
    return jax.tree.leaves(arrays), jax.tree.leaves(nnx.state(model)), keys, jnp.ones(2)
