# nnx.eval_shape(f, *args): what f makes, its arrays abstract (jax.ShapeDtypeStruct): its
# Variables are Variables not known to hold an array, everything else unknown.
from flax import nnx


class MLP(nnx.Module):
    def __init__(self, *, rngs: nnx.Rngs):
        self.linear = nnx.Linear(2, 3, rngs=rngs)
        self.layers = [nnx.Linear(3, 3, rngs=rngs)]
        self.rngs = rngs


def make(seed):
    return MLP(rngs=nnx.Rngs(seed))


def abstract(other):
    linear = nnx.eval_shape(lambda: nnx.Linear(2, 3, rngs=nnx.Rngs(0)))
    linear  # revealed: abstract[nnx.Linear]
    linear.kernel  # revealed: nnx.Param
    nnx.eval_shape(lambda rngs: MLP(rngs=rngs), nnx.Rngs(0)).linear.kernel  # revealed: nnx.Param
    model = nnx.eval_shape(make, 0)
    model.layers[0].bias  # revealed: nnx.Param
    model.rngs  # revealed: unknown
    nnx.eval_shape(other)  # revealed: unknown
    nnx.eval_shape(lambda x: x, linear)  # revealed: unknown
    nnx.Linear(2, 3, rngs=nnx.Rngs(0)).kernel  # revealed: nnx.Param[array]
    dropout = nnx.eval_shape(lambda: nnx.Dropout(0.5, rngs=nnx.Rngs(0)))
    dropout.rngs  # revealed: AbstractRngStream
    dropout.rngs.key  # revealed: nnx.RngKey
    dropout.rngs.count  # revealed: nnx.RngCount
    nnx.Dropout(0.5, rngs=nnx.Rngs(0)).rngs.key  # revealed: nnx.RngKey[array]
