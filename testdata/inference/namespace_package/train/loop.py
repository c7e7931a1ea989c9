from flax import nnx


class Block(nnx.Module):
    def __init__(self, *, rngs: nnx.Rngs):
        self.linear = nnx.Linear(2, 3, rngs=rngs)


def build(seed):
    return Block(rngs=nnx.Rngs(seed))
