# A list holding objects of different types (a Module, and a function put in its place):
# an attribute read on an element is the attribute of each element that has one (reading
# it on a function, or on None, raises AttributeError).
import functools

from flax import nnx


class Block(nnx.Module):
    def __init__(self, *, rngs: nnx.Rngs):
        self.linear = nnx.Linear(2, 2, rngs=rngs)


def patched(x):
    return x


def monkey_patched(n):
    blocks = [Block(rngs=nnx.Rngs(0)) for _ in range(n)]
    blocks[1] = blocks[0]  # one of its own elements: adds nothing
    blocks[2] = patched
    blocks[0]  # revealed: unknown
    blocks[0].linear  # revealed: nnx.Linear
    blocks[0].linear.kernel  # revealed: nnx.Param[array]


def decorated_function(n):  # near-miss: a decorator may give the name anything
    @functools.lru_cache
    def cached(x):
        return x

    blocks = [Block(rngs=nnx.Rngs(0)) for _ in range(n)]
    blocks[2] = cached
    blocks[0].linear  # revealed: unknown


def unknown_element(n, other):  # near-miss: an element of unknown type
    blocks = [Block(rngs=nnx.Rngs(0)) for _ in range(n)]
    blocks[2] = other
    blocks[0].linear  # revealed: unknown
