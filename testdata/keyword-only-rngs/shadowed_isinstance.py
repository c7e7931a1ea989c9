# `isinstance(x, Block)` is no call of Block where `isinstance` is the builtin; here the
# module's own `isinstance` calls the class it is given, a call whose arguments the rule
# cannot rewrite: Block's signature must stay.
from flax import nnx


def isinstance(value, cls):
    return cls(value)


class Block(nnx.Module):
    def __init__(self, rngs: nnx.Rngs):
        self.linear = nnx.Linear(2, 3, rngs=rngs)


block = Block(nnx.Rngs(0))
isinstance(nnx.Rngs(1), Block)
