from flax import nnx


class Block(nnx.Module):
    def __init__(self, rngs: nnx.Rngs):
        self.linear = nnx.Linear(2, 2, rngs=rngs)

    def count(self):
        return len(list(nnx.iter_modules(self)))


def summary(block: Block):
    for path, module in nnx.iter_modules(block):  # walk everything
        print(path, module)
    children = dict(nnx.iter_children(block.linear))
    model = Block(nnx.Rngs(0))
    return children, list(nnx.iter_modules(model))


def generic(obj):
    if isinstance(obj, nnx.Module):
        return list(nnx.iter_children(obj))
