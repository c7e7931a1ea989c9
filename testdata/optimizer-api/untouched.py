import optax
from flax import nnx


def f(model, opt_state, config: dict, grads):
    config.update(grads)
    state = optax.sgd(0.1)
    pair = nnx.Optimizer(model, optax.sgd(0.1), wrt=nnx.Param)
    pair.update(model, grads)
    return state, opt_state, pair.step
