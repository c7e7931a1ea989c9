# nnx.ModelAndOptimizer (flax 0.11's tutorials) -> nnx.Optimizer: every use of the object
# is in hand (update, .model, .step, passed to train_step beside its model); runs on flax
# 0.11.2 as written and, migrated, on 0.12.8 with DeprecationWarnings as errors.
import jax.numpy as jnp
import optax
from flax import nnx


class MLP(nnx.Module):
    def __init__(self, rngs: nnx.Rngs):
        self.linear1 = nnx.Linear(3, 4, rngs=rngs)
        self.linear2 = nnx.Linear(4, 1, rngs=rngs)

    def __call__(self, x):
        return self.linear2(nnx.relu(self.linear1(x)))


def loss_fn(model, x, y):
    return ((model(x) - y) ** 2).mean()


@nnx.jit
def train_step(model: MLP, optimizer: nnx.ModelAndOptimizer, x, y):
    loss, grads = nnx.value_and_grad(loss_fn)(model, x, y)
    optimizer.update(grads)
    return loss


def eval_step(model, optimizer, x, y):
    return loss_fn(optimizer.model, x, y)


def main():
    x = jnp.linspace(0.0, 1.0, 24).reshape(8, 3)
    y = jnp.sum(x, axis=1, keepdims=True)
    model = MLP(nnx.Rngs(0))
    optimizer = nnx.ModelAndOptimizer(model, optax.adam(1e-2))
    for _ in range(5):
        loss = train_step(model, optimizer, x, y)
    grads = nnx.grad(loss_fn)(optimizer.model, x, y)
    optimizer.update(grads)
    print(f"{float(loss):.6f}", int(optimizer.step[...]), f"{float(eval_step(model, optimizer, x, y)):.6f}")
    sgd = nnx.ModelAndOptimizer(model, optax.sgd(0.1), wrt=nnx.Param)
    sgd.update(nnx.grad(loss_fn)(model, x, y))
    print(f"{float(loss_fn(sgd.model, x, y)):.6f}", f"{float(model.linear2.bias[...][0]):.6f}")


main()
