from flax import nnx

from . import layers
from .layers import Block


class Residual(Block):
    def __init__(self, dim: int, rngs: nnx.Rngs):
        Block.__init__(self, dim, dim, rngs)


class Model(nnx.Module):
    def __init__(self, rngs: nnx.Rngs):
        self.first = Block(2, 4, rngs)
        self.second = layers.Block(4, 4, rngs)
        self.third = Residual(4, rngs)
