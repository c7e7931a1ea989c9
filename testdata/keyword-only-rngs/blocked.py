from flax import nnx


class Factory(nnx.Module):
    def __init__(self, din: int, rngs: nnx.Rngs):
        self.linear = nnx.Linear(din, din, rngs=rngs)


class Splat(nnx.Module):
    def __init__(self, din: int, rngs: nnx.Rngs):
        self.linear = nnx.Linear(din, din, rngs=rngs)


class Skipped(nnx.Module):
    def __init__(self, din: int, rngs: nnx.Rngs):
        self.linear = nnx.Linear(din, din, rngs=rngs)


def build(layer_cls, args, rngs):
    layers = [layer_cls(2, rngs)]
    registry = {"factory": Factory}
    splat = Splat(*args)
    skipped = Skipped(2, rngs)  # nnx-migrate: skip
    return layers, registry, splat, skipped
