# Near-miss of container_elements.py: a function is given an attribute of that name, so
# the function in the list may have a `.linear`.
from flax import nnx


class Block(nnx.Module):
    def __init__(self, *, rngs: nnx.Rngs):
        self.linear = nnx.Linear(2, 2, rngs=rngs)


def function_attribute(n):
    def layer(x):
        return x

    layer.linear = nnx.Param(1.0)
    blocks = [Block(rngs=nnx.Rngs(0)) for _ in range(n)]
    blocks[2] = layer
    blocks[0].linear  # revealed: unknown
