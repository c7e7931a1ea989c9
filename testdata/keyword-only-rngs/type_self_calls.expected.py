"""Constructor calls through the instance's class (`type(self)(...)`, `self.__class__(...)`) change with the signature."""

from flax import nnx


class Block(nnx.Module):
    def __init__(self, din, dout, *, rngs: nnx.Rngs):
        self.din, self.dout = din, dout
        self.linear = nnx.Linear(din, dout, rngs=rngs)

    def fresh(self, rngs: nnx.Rngs):
        return type(self)(self.din, self.dout, rngs=rngs)

    def clone(self, rngs: nnx.Rngs):
        return self.__class__(self.din, self.dout, rngs=rngs)


def make():
    return Block(2, 3, rngs=nnx.Rngs(0)).fresh(nnx.Rngs(1))
