import optax
from flax import nnx


def make(model):
    return nnx.Optimizer(model, optax.sgd(0.1), wrt=nnx.Param)


def step(optimizer: nnx.Optimizer, grads):
    optimizer.update(grads)


def other_step(opt, grads):
    opt.update(grads)
