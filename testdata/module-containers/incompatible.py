from flax import nnx


class Stack(nnx.Module):
    def __init__(self, rngs: nnx.Rngs):
        self.layers = [nnx.Linear(2, 2, rngs=rngs)]
        self.more = [nnx.Linear(2, 2, rngs=rngs)]

    def all_layers(self):
        return self.layers + [None]

    def twice(self):
        return list(self.more) * 2
