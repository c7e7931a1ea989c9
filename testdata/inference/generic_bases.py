# A subscripted generic base is its origin class (`__mro_entries__`): `nnx.Variable[A]` is a Variable.
import typing

from flax import nnx

A = typing.TypeVar("A")


class Count(nnx.Variable[A]):
    pass


class Counter(nnx.Module):
    def __init__(self):
        self.count = Count(0)
        self.plain = Plain(0)


class Plain(typing.Generic[A]):  # not a Variable: a generic of its own
    def __init__(self, value):
        self.value = value


def reads(m: Counter):
    m.count  # revealed: generic_bases.Count
    Count(1)  # revealed: generic_bases.Count
    m.plain  # revealed: generic_bases.Plain
