import json

from flax import nnx


def pure(x):
    return x


class Thing:
    VariableState = 1


def f(tree, thing: Thing):
    return pure(tree), json.dumps(tree), thing.VariableState, nnx.Variable
