from flax import nnx


class Heads(nnx.Module):
    def __init__(self, names, rngs: nnx.Rngs):
        self.heads = nnx.Dict({"a": nnx.Linear(2, 2, rngs=rngs), "b": nnx.Linear(2, 2, rngs=rngs)})
        self.by_name = nnx.Dict({f"head_{n}": nnx.Linear(2, 2, rngs=rngs) for n in names})
        self.experts = nnx.data({0: nnx.Linear(2, 2, rngs=rngs), 1: nnx.Linear(2, 2, rngs=rngs)})
        self.table = nnx.Dict()
        for n in names:
            self.table[str(n)] = nnx.Linear(2, 2, rngs=rngs)

    def __call__(self, x):
        if isinstance(self.heads, nnx.Dict):
            return self.heads["a"](x)
        return x
