"""Only `Module` is imported: `from flax import nnx` is added."""
from flax.nnx import Linear, Rngs
from flax import nnx


def walk():
    layer = Linear(2, 3, rngs=Rngs(0))
    return list(nnx.iter_modules(layer))
