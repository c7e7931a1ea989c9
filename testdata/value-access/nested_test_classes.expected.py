"""A test class's helper Module, defined in its class body and built through `self`."""
import jax.numpy as jnp
from flax import nnx


class TestNoiseModel:
    class _Toy(nnx.Module):
        def __init__(self):
            self.w = nnx.Param(jnp.ones((3,)))

    def test_scale(self):
        model = self._Toy()
        model.w.set_value(model.w[...] * 2)  # doubled
        assert (model.w[...] == 2).all()
