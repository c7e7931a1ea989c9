"""A few SGD steps on random data; prints the numbers the migration must keep."""

import jax
import jax.numpy as jnp
from flax import nnx

from mlp import MLP
from mlp.model import describe


def loss_fn(model: MLP, x, y):
    return jnp.mean((model(x) - y) ** 2)


def main():
    model = MLP(4, 16, 2, nnx.Rngs(0))
    x = jax.random.normal(jax.random.key(1), (32, 4))
    y = jax.random.normal(jax.random.key(2), (32, 2))
    for step in range(3):
        loss, grads = nnx.value_and_grad(loss_fn)(model, x, y)
        params = nnx.state(model, nnx.Param)
        nnx.update(model, jax.tree.map(lambda p, g: p - 0.05 * g, params, grads))
        print(f"step {step} loss {float(loss):.8e}")
    model.eval()
    print(f"eval loss {float(loss_fn(model, x, y)):.8e}")
    print(f"w1 mean {float(model.dense1.w.value.mean()):.8e}")
    print(f"bn mean {float(model.norm.mean.value.sum()):.8e}")
    print(f"history {float(model.scale.history.value):.8e}")
    print(f"gate mean {float(model.blocks[0].gate.value.mean()):.8e}")
    print(describe(model))


if __name__ == "__main__":
    main()
