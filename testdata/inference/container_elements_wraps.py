# Near-miss of container_elements.py: functools.wraps copies another object's attributes
# onto a function, so a function in the list may have a `.linear`.
import functools

from flax import nnx


class Block(nnx.Module):
    def __init__(self, *, rngs: nnx.Rngs):
        self.linear = nnx.Linear(2, 2, rngs=rngs)


def patched(x):
    return x


def monkey_patched(n):
    blocks = [Block(rngs=nnx.Rngs(0)) for _ in range(n)]
    functools.wraps(blocks[0])(patched)
    blocks[2] = patched
    blocks[0].linear  # revealed: unknown
