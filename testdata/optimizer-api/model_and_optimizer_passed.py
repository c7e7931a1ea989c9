# ModelAndOptimizer passed on through two functions, each given the model beside it
import jax.numpy as jnp
import optax
from flax import nnx


def loss_fn(model, x):
    return (model(x) ** 2).mean()


def inner(net, opt, x):
    opt.update(nnx.grad(loss_fn)(opt.model, x))


def outer(model, optimizer, x):
    inner(model, optimizer, x)
    return optimizer.step[...]


def main():
    model = nnx.Linear(2, 2, rngs=nnx.Rngs(0))
    optimizer = nnx.ModelAndOptimizer(model, optax.sgd(0.1))
    print(int(outer(model, optimizer, jnp.ones((1, 2)))), f"{float(model.bias[...][0]):.6f}")


main()


def shared_step(model, opt, x):
    opt.update(nnx.grad(loss_fn)(model, x))


def one_in_hand():
    model = nnx.Linear(2, 2, rngs=nnx.Rngs(1))
    opt = nnx.ModelAndOptimizer(model, optax.sgd(0.1))
    shared_step(model, opt, jnp.ones((1, 2)))  # stays: shared_step also gets the one below


def one_not_in_hand():
    model = nnx.Linear(2, 2, rngs=nnx.Rngs(2))
    opt = nnx.ModelAndOptimizer(model, optax.sgd(0.1))
    shared_step(model, opt, jnp.ones((1, 2)))
    return nnx.state(opt)


one_in_hand()
print(sorted(one_not_in_hand().keys()))
