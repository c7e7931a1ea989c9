"""Only `Module` is imported: `from flax import nnx` is added."""
from flax.nnx import Linear, Rngs


def walk():
    layer = Linear(2, 3, rngs=Rngs(0))
    return list(layer.iter_modules())
