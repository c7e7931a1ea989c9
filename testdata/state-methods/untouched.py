import jax
from flax import nnx


def f(frame, rngs: nnx.Rngs, items: dict):
    kept = frame.filter(items)
    keys = rngs.split(2)
    parts = jax.random.split(jax.random.key(0))
    merged = items.copy()
    return kept, keys, parts, merged
