import jax.numpy as jnp
from flax import nnx


class Block(nnx.Module):
    def __init__(self, dim: int, rngs: nnx.Rngs):
        self.linear = nnx.Linear(dim, dim, rngs=rngs)


class Model(nnx.Module):
    def __init__(self, depth: int, rngs: nnx.Rngs):
        # a comprehension of project Modules
        self.blocks = [Block(4, rngs) for _ in range(depth)]
        self.pair = (nnx.Linear(4, 4, rngs=rngs), nnx.Linear(4, 4, rngs=rngs))
        self.bare = Block(4, rngs), Block(4, rngs)
        self.weights = [jnp.zeros((4,)) for _ in range(depth)]
        self.params: list[nnx.Param] = [nnx.Param(jnp.ones((4,)))]
        self.mixed = [nnx.Linear(4, 4, rngs=rngs), "relu", jnp.tanh]
        self.copied = list(self.blocks)
        layers = []
        for _ in range(depth):
            layers.append(Block(4, rngs))
        self.layers = layers
        self.extra = []
        for i in range(depth):
            self.extra.append(
                Block(4, rngs)  # keep this comment
            )

    def __call__(self, x):
        for block in self.blocks:
            x = block.linear(x)
        if isinstance(self.layers, list):
            x = x + 1
        return x
