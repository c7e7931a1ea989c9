# Near-misses: local classes whose calls cannot all be seen keep their signatures.
from flax import nnx


def rebound(flag):
    class Block(nnx.Module):
        def __init__(self, rngs: nnx.Rngs):
            self.linear = nnx.Linear(2, 3, rngs=rngs)

    if flag:
        class Block(nnx.Module):  # a second class statement of the same name
            def __init__(self, rngs: nnx.Rngs):
                self.linear = nnx.Linear(2, 3, rngs=rngs)
    return Block(nnx.Rngs(0))  # either class


def escapes():
    class Block(nnx.Module):
        def __init__(self, rngs: nnx.Rngs):
            self.linear = nnx.Linear(2, 3, rngs=rngs)

    return Block  # callers elsewhere


def maybe_other(make):
    class Block(nnx.Module):
        def __init__(self, rngs: nnx.Rngs):
            self.linear = nnx.Linear(2, 3, rngs=rngs)

    if make:
        Block = make  # the name may hold something else
    return Block(nnx.Rngs(0))


def global_class():
    global Shared

    class Shared(nnx.Module):  # binds the module's name: anyone may call it
        def __init__(self, rngs: nnx.Rngs):
            self.linear = nnx.Linear(2, 3, rngs=rngs)

    return Shared(nnx.Rngs(0))
