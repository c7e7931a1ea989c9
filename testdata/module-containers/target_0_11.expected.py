# nnx-migrate-test: --target-version 0.11
from flax import nnx


class Model(nnx.Module):
    def __init__(self, rngs: nnx.Rngs):
        self.blocks = nnx.data([nnx.Linear(2, 2, rngs=rngs) for _ in range(2)])
        self.heads = nnx.data({"a": nnx.Linear(2, 2, rngs=rngs)})
