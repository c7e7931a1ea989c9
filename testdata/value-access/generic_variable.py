# A Variable subclass of a subscripted generic (`nnx.Variable[A]`) is a Variable.
import typing

from flax import nnx

A = typing.TypeVar("A")


class Count(nnx.Variable[A]):
    pass


class Plain(typing.Generic[A]):  # a generic of its own, not a Variable
    def __init__(self, value):
        self.value = value


class Counter(nnx.Module):
    def __init__(self):
        self.count = Count(0)
        self.plain = Plain(0)

    def __call__(self):
        self.count.value += 1
        return self.plain.value
