from flax import nnx


def f(pool, rngs: nnx.Rngs):
    return pool.fork(split=2), rngs.fork(), rngs.fork(split=2, extra=1)
