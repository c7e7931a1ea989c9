import enum

import jax
from flax import nnx


class Color(enum.Enum):
    RED = 1


def helper(x, spec):
    return spec  # returns its second argument, not the Variable


def not_a_variable(key):
    w = helper(nnx.Param(key), Color.RED)
    return w.value


def escaping(k, register):
    w = nnx.Param(k)

    def f(w):
        return w.value  # f is handed to unknown code: its callers are not all seen

    register(f)
    return f(w)


def tree_without_is_leaf(state: nnx.State):
    return jax.tree.map(lambda v: v.value, state)


def unknown_grad(loss_fn, x):
    grads = nnx.grad(loss_fn)(x)  # x is not known to be a Module
    return grads['w'].value


def layers_call(layers: nnx.List, x):
    return layers[0].value(x)  # `value` is a submodule here


def walrus(xs):
    v = nnx.Param(1)
    ys = [(v := Color.RED) for _ in xs]
    return v.value, ys
