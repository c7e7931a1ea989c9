# nnx-migrate-test: --target-version 0.12.0
from flax import nnx


def f(tree, leaf):
    print(nnx.pure(tree), isinstance(leaf, nnx.Variable))
    return nnx.is_data(leaf)
