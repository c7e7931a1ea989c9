from mylib import nnx


class Linear(nnx.Module):
    def __init__(self, din, dout, rngs: nnx.Rngs):  # LOOKALIKE: rngs of the project's own Rngs: not flax's convention
        self.kernel = nnx.Param([[0.0] * dout for _ in range(din)])
        self.bias = nnx.Param([0.0] * dout)
        self.blocks = [nnx.Module(), nnx.Module()]  # LOOKALIKE: a list of the project's own Modules, not flax's

    def __call__(self, x):
        return self.kernel.value, self.bias.value  # LOOKALIKE: the project's own Param


def train(model: Linear, grads, tx):
    opt = nnx.Optimizer(model, tx)  # LOOKALIKE: the project's own Optimizer takes no wrt=
    opt.update(grads)  # LOOKALIKE: the project's own update(grads)
    return opt.model  # LOOKALIKE: the project's own `model` attribute


def walk(model: Linear):
    return list(model.iter_modules()), list(model.iter_children())  # LOOKALIKE: the project's own methods


def split_keys(rngs: nnx.Rngs):
    return rngs.fork(split=4)  # LOOKALIKE: the project's own Rngs.fork


def flat(state: nnx.State):
    return state.flat_state(), state.filter("kernel")  # LOOKALIKE: the project's own State


def make():
    return Linear(2, 3, nnx.Rngs(0))  # LOOKALIKE: positional rngs to the project's own class
