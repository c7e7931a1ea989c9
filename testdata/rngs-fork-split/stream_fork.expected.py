# `rngs.<stream>.fork(split=n)` warns from flax 0.12.6 as `rngs.fork(split=n)` does: runs on
# flax 0.11.2 as written and, migrated, on 0.12.8 with DeprecationWarnings as errors,
# printing the same keys. `stream.fork()` (no split) and an unknown `.fork(split=)` stay.
import jax
from flax import nnx


def keys(rngs: nnx.Rngs, other):
    stream = rngs.params.split(3)
    dropout = rngs["dropout"].split((2, 2))
    kept = rngs.params.fork()
    return stream, dropout, kept, other


rngs = nnx.Rngs(params=0, dropout=1)
stream, dropout, kept, _ = keys(rngs, None)
print(jax.random.key_data(stream.key[...]).tolist(), jax.random.key_data(dropout.key[...]).shape)
print(jax.random.key_data(kept.key[...]).tolist(), stream.tag, dropout.tag)
