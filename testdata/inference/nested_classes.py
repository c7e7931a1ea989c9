# A class a class body defines, reached through `self`: a test class's helper Module.
import jax.numpy as jnp
from flax import nnx


class TestNoise:
    class _Toy(nnx.Module):
        def __init__(self):
            self.w = nnx.Param(jnp.ones((3,)))

    def test_through_self(self):
        self  # revealed: nested_classes.TestNoise
        self._Toy  # revealed: type[nested_classes.TestNoise._Toy]
        model = self._Toy()
        model.w  # revealed: nnx.Param[array]


class TestOverridden:  # near-miss: a subclass's own _Toy may be the one `self` reaches
    class _Toy(nnx.Module):
        def __init__(self):
            self.w = nnx.Param(jnp.ones((3,)))

    def test_through_self(self):
        model = self._Toy()
        model.w  # revealed: unknown


class TestOverriding(TestOverridden):
    class _Toy(nnx.Module):
        def __init__(self):
            self.w = jnp.ones((3,))


class TestStored:  # near-miss: an instance attribute of the same name is stored
    class _Toy(nnx.Module):
        def __init__(self):
            self.w = nnx.Param(jnp.ones((3,)))

    def setup(self, factory):
        self._Toy = factory

    def test_through_self(self):
        model = self._Toy()
        model.w  # revealed: unknown
