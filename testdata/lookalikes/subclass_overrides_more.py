"""More project subclasses overriding what a rule rewrites towards, and walrus / global
variants of narrowing and flows."""

import enum

import jax.numpy as jnp
import optax
from flax import nnx


class Level(enum.Enum):
    LOW = 0


current = nnx.Param(jnp.zeros(3))


def walrus_in_any(v, xs):
    if isinstance(v, nnx.Param) and any((v := x) for x in xs):
        return v.value  # LOOKALIKE: the walrus inside any() rebinds v


def walrus_in_call(v, f):
    if isinstance(v, nnx.Param) and f((v := f(0))):
        return v.value  # LOOKALIKE: the walrus in the call argument rebinds v


def walrus_ifexp(v, f):
    return v.value if isinstance(v, nnx.Param) and (v := f(v)) else None  # LOOKALIKE: the walrus after the isinstance rebinds v


class Resetter:
    def reset(self):
        global current
        current = Level.LOW


def read_current():
    return current.value  # LOOKALIKE: a method elsewhere declares it global and rebinds it


class Base(nnx.Module):
    def iter_modules(self):
        yield self


class Child(Base):
    pass


def walk(c: Child):
    return list(c.iter_modules())  # LOOKALIKE: Base (in the MRO) defines its own iter_modules


class OnlyUpdate(nnx.Optimizer):
    def update(self, grads):
        return grads


def train(model, grads):
    opt = OnlyUpdate(model, optax.sgd(0.1), wrt=nnx.Param)
    opt.update(grads)  # LOOKALIKE: OnlyUpdate.update takes the grads only


class TaggedBase(nnx.Param):
    @property
    def tag(self):
        return self._tag

    @tag.setter
    def tag(self, v):
        self._tag = v


class TaggedChild(TaggedBase):
    pass


def tag_child():
    t = TaggedChild(jnp.ones(3))
    t.tag = "x"  # LOOKALIKE: the base class defines a property setter for tag
    return t


def nested_star(a):
    (first, *rest), last = (Level.LOW, nnx.Param(a), Level.LOW), nnx.Param(a)
    return rest[-1].value  # LOOKALIKE: rest is [Param, Level.LOW]: its last item is the Enum
