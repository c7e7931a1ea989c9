from flax import nnx


class Model(nnx.Module):
    def __init__(self, rngs: nnx.Rngs):
        self.blocks = [nnx.Linear(2, 2, rngs=rngs) for _ in range(2)]

    def count(self):
        return len(list(nnx.iter_modules(self)))
