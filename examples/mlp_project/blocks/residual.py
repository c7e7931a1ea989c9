"""A residual block: a list of Dense layers, summed onto the input."""

from flax import nnx

from .dense import Dense


class ResidualBlock(nnx.Module):
    def __init__(self, dim: int, depth: int, rngs: nnx.Rngs):
        layers = []
        for _ in range(depth):
            layers.append(Dense(dim, dim, rngs))
        self.layers = layers
        self.gate = None
        if depth > 1:
            self.gate = nnx.Param(nnx.initializers.ones_init()(rngs.params(), (dim,)))

    def __call__(self, x):
        y = x
        for layer in self.layers:
            y = nnx.relu(layer(y))
        if self.gate is not None:
            y = y * self.gate.value
        return x + y
