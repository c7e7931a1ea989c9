from flax import nnx


class Heads(nnx.Module):
    def __init__(self, names, rngs: nnx.Rngs):
        self.heads = {"a": nnx.Linear(2, 2, rngs=rngs), "b": nnx.Linear(2, 2, rngs=rngs)}
        self.by_name = {f"head_{n}": nnx.Linear(2, 2, rngs=rngs) for n in names}
        self.experts = {0: nnx.Linear(2, 2, rngs=rngs), 1: nnx.Linear(2, 2, rngs=rngs)}
        self.table = {}
        for n in names:
            self.table[str(n)] = nnx.Linear(2, 2, rngs=rngs)

    def __call__(self, x):
        if isinstance(self.heads, dict):
            return self.heads["a"](x)
        return x
