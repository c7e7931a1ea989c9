try:
    from flax import nnx
except ImportError:
    from flax.experimental import nnx


class Stack(nnx.Module):
    def __init__(self, depth: int, *, rngs: nnx.Rngs):
        # the wrapper is spelled with the file's own name for flax.nnx: no second import
        self.layers = nnx.List([nnx.Linear(2, 2, rngs=rngs) for _ in range(depth)])
