from flax import nnx
from flax.nnx import VariableState


def f(tree, leaf):
    if isinstance(leaf, nnx.VariableState) or isinstance(leaf, VariableState):
        return nnx.is_data_type(leaf)
    pure = nnx.pure(tree)
    abstract = nnx.abstract_with_sharding(tree)
    return nnx.vars_as(pure, mutable=False), abstract
