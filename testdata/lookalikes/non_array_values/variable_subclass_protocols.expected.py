"""Variable subclasses whose own methods make `[...]` differ from `.value`: a
`__getitem__` of their own (`v[...]` calls it), an `__init__` that stores something else
than the array it is given. Only get_value() is exact; a subclass whose `__init__` passes
the value on unchanged keeps `[...]`."""

import jax.numpy as jnp
from flax import nnx


class Table(nnx.Variable):
    def __getitem__(self, key):
        return self.get_value()[key] * 2


class Lookup(nnx.Module):
    def __init__(self):
        self.table = Table(jnp.ones(3))

    def __call__(self, i):
        return self.table.get_value() + i  # NON-ARRAY: Table.__getitem__ doubles what [...] returns


class Pair(nnx.Variable):
    def __init__(self, value, **metadata):
        super().__init__((value, value), **metadata)


class Twin(nnx.Module):
    def __init__(self):
        self.both = Pair(jnp.ones(3))

    def __call__(self):
        a, b = self.both.get_value()  # NON-ARRAY: Pair stores a tuple of what it is given
        return a + b


class Boxed(nnx.Param):
    def __init__(self, value, **metadata):
        super().__init__(value, **metadata)


class Plain(nnx.Module):
    def __init__(self):
        self.w = Boxed(jnp.ones(3))

    def __call__(self, x):
        return x * self.w[...]
