# Near-misses: a ModelAndOptimizer with a use that is not in hand stays as it is (it works
# on flax 0.12) and is reported; an Optimizer already in the 0.11 form is not touched.
import optax
from flax import nnx


def loss_fn(model):
    return (model.kernel[...] ** 2).sum()


def state_of(model):
    opt = nnx.ModelAndOptimizer(model, optax.sgd(0.1))
    opt.update(nnx.grad(loss_fn)(model))
    return nnx.state(opt)  # the state holds the model: not an Optimizer's


def returned(model):
    opt = nnx.ModelAndOptimizer(model, optax.sgd(0.1))
    return opt


class Trainer:
    def __init__(self, model):
        self.optimizer = nnx.ModelAndOptimizer(model, optax.sgd(0.1))

    def step(self):
        self.optimizer.update(nnx.grad(loss_fn)(self.optimizer.model))


def only_the_optimizer(opt):
    opt.update(nnx.grad(loss_fn)(opt.model))


def passed_alone(model):
    opt = nnx.ModelAndOptimizer(model, optax.sgd(0.1))
    only_the_optimizer(opt)


def model_rebound(model, other):
    opt = nnx.ModelAndOptimizer(model, optax.sgd(0.1))
    model = other
    opt.update(nnx.grad(loss_fn)(model))


def model_replaced(model, other):
    opt = nnx.ModelAndOptimizer(model, optax.sgd(0.1))
    opt.model = other


def already_new(model):
    opt = nnx.Optimizer(model, optax.sgd(0.1), wrt=nnx.Param)
    opt.update(model, nnx.grad(loss_fn)(model))
    return opt.step
