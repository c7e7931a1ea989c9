from flax import nnx


class Already(nnx.Module):
    def __init__(self, din: int, *, rngs: nnx.Rngs):
        self.linear = nnx.Linear(din, din, rngs=rngs)


class NotAModule:
    def __init__(self, din: int, rngs: nnx.Rngs):
        self.rngs = rngs


class Variadic(nnx.Module):
    def __init__(self, rngs: nnx.Rngs, *layers):
        self.layers = layers


x = Already(2, rngs=nnx.Rngs(0))
y = NotAModule(2, nnx.Rngs(0))
z = Variadic(nnx.Rngs(0))
