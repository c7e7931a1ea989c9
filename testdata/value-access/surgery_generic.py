"""Model surgery by run-time name on any Module, putting a Module where one was: the
attributes of the project's classes keep their types."""
import jax.numpy as jnp
from flax import nnx


class Model(nnx.Module):
    def __init__(self, rngs: nnx.Rngs):
        self.w = nnx.Param(jnp.ones(3))
        self.head = nnx.Linear(3, 3, rngs=rngs)

    def __call__(self, x):
        return self.head(x * self.w.value)


def replace_layer(model: nnx.Module, name: str, width: int):
    setattr(model, name, nnx.Linear(width, 1, rngs=nnx.Rngs(0)))
    return model
