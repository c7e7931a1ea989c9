"""Classes built only under `jax.set_mesh(...)`, and classes also built another way: a
class named in a tuple and called through a loop variable, a classmethod's `cls(...)` on
an instance, a subclass's constructions and its `super().__init__(...)`. Unchanged; only
the annotations of the classes built with no mesh are reported."""

import jax
import numpy as np
from flax import nnx
from jax.sharding import Mesh

mesh = Mesh(np.array(jax.devices()).reshape(1, -1), ("data", "model"))


class Looped(nnx.Module):
    def __init__(self, *, rngs: nnx.Rngs):
        self.w = nnx.Param(nnx.with_partitioning(nnx.initializers.ones, (None, "model"))(rngs.params(), (2, 2)))


class Factory(nnx.Module):
    def __init__(self, *, rngs: nnx.Rngs):
        self.w = nnx.Param(nnx.with_partitioning(nnx.initializers.ones, (None, "model"))(rngs.params(), (2, 2)))

    @classmethod
    def again(cls):
        return cls(rngs=nnx.Rngs(1))


class Base(nnx.Module):
    def __init__(self, *, rngs: nnx.Rngs):
        self.w = nnx.Param(nnx.with_partitioning(nnx.initializers.ones, (None, "model"))(rngs.params(), (2, 2)))


class Derived(Base):
    def __init__(self, *, rngs: nnx.Rngs):
        super().__init__(rngs=rngs)


class Inherits(Base):
    pass


class Protected(nnx.Module):
    def __init__(self, *, rngs: nnx.Rngs):
        self.w = nnx.Param(nnx.with_partitioning(nnx.initializers.ones, (None, "model"))(rngs.params(), (2, 2)))


class ProtectedChild(Protected):
    def __init__(self, *, rngs: nnx.Rngs):
        super().__init__(rngs=rngs)


def build():
    with jax.set_mesh(mesh):
        looped = Looped(rngs=nnx.Rngs(0))
        factory = Factory(rngs=nnx.Rngs(0))
        derived = Derived(rngs=nnx.Rngs(0))
        protected = Protected(rngs=nnx.Rngs(0)), ProtectedChild(rngs=nnx.Rngs(0))
    return looped, factory, derived, protected


def elsewhere(factory):
    for klass in (Looped,):
        klass(rngs=nnx.Rngs(1))  # Looped's annotation is reported
    return factory.again(), Inherits(rngs=nnx.Rngs(2))  # Factory's and Base's are reported
