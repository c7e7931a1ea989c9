"""Constructor calls the keyword-only-rngs rule cannot rewrite: `type(self)(*args)` passes
rngs positionally, so the signature must stay as it is."""

from flax import nnx


class Block(nnx.Module):
    def __init__(self, din, dout, rngs: nnx.Rngs):  # LOOKALIKE: fresh() below calls it through type(self)(*args)
        self.din, self.dout = din, dout
        self.linear = nnx.Linear(din, dout, rngs=rngs)

    def fresh(self, rngs: nnx.Rngs):
        args = (self.din, self.dout, rngs)
        return type(self)(*args)


def make():
    return Block(2, 3, rngs=nnx.Rngs(0)).fresh(nnx.Rngs(1))
