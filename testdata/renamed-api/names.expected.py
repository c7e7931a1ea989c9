from flax import nnx
from flax.nnx import Variable


def f(tree, leaf):
    if isinstance(leaf, nnx.Variable) or isinstance(leaf, Variable):
        return nnx.is_data(leaf)
    pure = nnx.as_pure(tree)
    abstract = nnx.as_abstract(tree)
    return nnx.with_vars(pure, mutable=False), abstract
