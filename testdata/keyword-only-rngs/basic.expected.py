import functools

from flax import nnx


class Block(nnx.Module):
    def __init__(self, din: int, dout: int, rngs: nnx.Rngs):
        self.linear = nnx.Linear(din, dout, rngs=rngs)

    @classmethod
    def square(cls, dim: int, rngs: nnx.Rngs):
        return cls(dim, dim, rngs)


class Wide(Block):
    """Inherits Block's constructor."""


class Child(Block):
    def __init__(self, dim: int, *, rngs: nnx.Rngs, dropout: float = 0.1):
        super().__init__(dim, dim, rngs)
        self.dropout = nnx.Dropout(dropout, rngs=rngs)


def build(rngs: nnx.Rngs):
    a = Block(2, 3, rngs)
    b = Block(2, 3, rngs=rngs)
    c = Wide(4, 4, nnx.Rngs(1))
    d = Child(4, rngs=rngs, dropout=0.5)
    e = Child(4, rngs=rngs)
    make = functools.partial(Block, 2, 3, rngs)
    return a, b, c, d, e, make()


class Cell(nnx.Module):
    def __init__(self, size: int, *, rngs: nnx.Rngs):
        self.linear = nnx.Linear(size, size, rngs=rngs)

    @classmethod
    def small(cls, rngs: nnx.Rngs):
        return cls(2, rngs=rngs)


cell = Cell.small(nnx.Rngs(0))
