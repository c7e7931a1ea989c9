import optax
from flax import nnx


def loss_fn(model, x, y):
    return ((model(x) - y) ** 2).mean()


@nnx.jit
def train_step(model, optimizer, x, y):
    grads = nnx.grad(loss_fn)(model, x, y)
    optimizer.update(model, grads)


def train(x, y):
    model = nnx.Linear(2, 3, rngs=nnx.Rngs(0))
    optimizer = nnx.Optimizer(model, optax.adam(1e-3), wrt=nnx.Param)
    for _ in range(3):
        train_step(model, optimizer, x, y)
    local = nnx.Optimizer(model, tx=optax.sgd(0.1), wrt=nnx.Param)
    grads = nnx.grad(loss_fn)(model, x, y)
    local.update(model, grads)
    return model


class Trainer:
    def __init__(self, model: nnx.Module):
        self.model = model
        self.optimizer = nnx.Optimizer(self.model, optax.sgd(0.1), wrt=nnx.Param)

    def step(self, grads):
        self.optimizer.update(self.model, grads)
