from flax import nnx


class Block(nnx.Module):
    def __init__(self, rngs: nnx.Rngs):
        self.keys = rngs.fork(split=4)


def make():
    rngs = nnx.Rngs(0)
    return rngs.fork(split=(2, 2)), rngs.fork()
