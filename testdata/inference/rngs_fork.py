# `Rngs.fork()` is a new Rngs of the same streams, `RngStream.fork()` a stream of the same
# tag (flax 0.10.7, 0.11.2, 0.12.8).
from flax import nnx


def test_fork(f):
    rngs = nnx.Rngs(dropout=0).fork()
    rngs  # revealed: Rngs
    rngs.dropout.count  # revealed: nnx.RngCount[array]
    nnx.Rngs(0).fork(split=4).params.key  # revealed: nnx.RngKey[array]
    nnx.Rngs(0).params.fork()  # revealed: RngStream
    nnx.Rngs(0).fork(4)  # revealed: unknown
    nnx.Rngs(0).fork(f=2)  # revealed: unknown
