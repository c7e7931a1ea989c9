"""Private methods fetched with getattr under names built at run time (handler tables,
`_visit_<kind>` dispatch): their callers are not all visible, so what one visible caller
passes says nothing about the parameter."""

import enum

import jax.numpy as jnp
from flax import nnx


class Kind(enum.Enum):
    DENSE = 1


class Block(nnx.Module):
    def __init__(self):
        self.w = nnx.Param(jnp.ones(3))

    def _read_param(self, v):
        return v.value  # LOOKALIKE: handle() fetches _read_<kind> by name and passes an Enum

    def forward(self):
        return self._read_param(self.w)

    def handle(self, kind: str):
        return getattr(self, f"_read_{kind}")(Kind.DENSE)


class Visitor(nnx.Module):
    def __init__(self):
        self.scale = nnx.Param(jnp.ones(()))

    def _visit_scale(self, node):
        return node.value  # LOOKALIKE: visit() below calls it with whatever node it is given

    def run(self):
        return self._visit_scale(self.scale)


def visit(visitor: Visitor, kind: str, node):
    return getattr(visitor, "_visit_" + kind)(node)


class Base(nnx.Module):
    def dispatch(self, name: str):
        return getattr(self, name)(Kind.DENSE)


class Derived(Base):
    def __init__(self):
        self.bias = nnx.Param(jnp.zeros(3))

    def _shift(self, b):
        return b.value + 1  # LOOKALIKE: Base.dispatch() may fetch it by name with an Enum

    def __call__(self):
        return self._shift(self.bias)
