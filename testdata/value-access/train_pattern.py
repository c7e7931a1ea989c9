import jax.numpy as jnp
import optax
from flax import nnx


class Model(nnx.Module):
    def __init__(self, *, rngs: nnx.Rngs):
        self.linear = nnx.Linear(2, 2, rngs=rngs)
        self.scale = nnx.Param(jnp.ones(()))

    def __call__(self, x):
        return self.linear(x) * self.scale.value


def loss_fn(model, x):
    return (model(x) ** 2).mean() + model.scale.value


def train_step(model, optimizer, x):
    grad_fn = nnx.value_and_grad(loss_fn)
    loss, grads = grad_fn(model, x)
    optimizer.update(model, grads)
    return loss, grads['scale'].value


model = Model(rngs=nnx.Rngs(0))
optimizer = nnx.Optimizer(model, optax.adam(1e-3), wrt=nnx.Param)
print(train_step(model, optimizer, jnp.ones((1, 2))))
