from flax import nnx


class Block(nnx.Module):
    def __init__(self, rngs: nnx.Rngs):
        self.linear = nnx.Linear(2, 2, rngs=rngs)

    def count(self):
        return len(list(self.iter_modules()))


def summary(block: Block):
    for path, module in block.iter_modules():  # walk everything
        print(path, module)
    children = dict(block.linear.iter_children())
    model = Block(nnx.Rngs(0))
    return children, list((model).iter_modules())


def generic(obj):
    if isinstance(obj, nnx.Module):
        return list(obj.iter_children())
