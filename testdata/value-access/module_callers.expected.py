import jax.numpy as jnp
from flax import nnx


def scale(w, factor):
    return w.get_value() * factor


def passed_around(w):
    return w.value


class M(nnx.Module):
    def __init__(self):
        self.w = nnx.Param(jnp.ones(3))

    def __call__(self):
        callbacks = [passed_around]
        return scale(self.w, 2.0) + scale(nnx.Param(jnp.zeros(3)), factor=1.0), callbacks
