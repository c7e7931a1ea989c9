# A subclass of nnx.Optimizer with its own constructor changes what constructing the
# subclass does, not what `nnx.Optimizer(model, tx)` does: that call still gets `wrt=`.
import optax
from flax import nnx


class ClippedOptimizer(nnx.Optimizer):
    def __init__(self, model, tx, clip):
        super().__init__(model, optax.chain(optax.clip(clip), tx), wrt=nnx.Param)


model = nnx.Linear(2, 3, rngs=nnx.Rngs(0))
optimizer = nnx.Optimizer(model, optax.sgd(0.1), wrt=nnx.Param)
clipped = ClippedOptimizer(model, optax.sgd(0.1), 1.0)  # its own constructor: left alone
