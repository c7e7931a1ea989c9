"""Builds a registry model, trains it for a few SGD steps and prints what must not change
after the migration. Runs every path of zoo/ that `nnx-migrate trace` should see."""

import jax
import jax.numpy as jnp
import optax
from flax import nnx

from zoo.model import Model, Setting, count_calls, describe, gain_of, kernel_norm


def main():
    model = Model(["dense", "scale", "dense"], 4, nnx.Rngs(0))
    learning_rate = Setting(0.05)
    optimizer = nnx.Optimizer(model, optax.sgd(learning_rate.value), wrt=nnx.Param)
    x = jax.random.normal(jax.random.key(1), (8, 4))
    y = jnp.sin(x)

    @nnx.jit
    def train_step(model, optimizer, x, y):
        def loss_fn(model):
            return jnp.mean((model(x) - y) ** 2)

        loss, grads = nnx.value_and_grad(loss_fn)(model)
        optimizer.update(model, grads)
        return loss

    for step in range(3):
        print(f"step {step} loss {float(train_step(model, optimizer, x, y)):.8e}")
    print(f"kernel norm {kernel_norm(model):.8e}")
    print(f"gains {[gain_of(block) for block in model.blocks]}")
    print(f"modules in first block {len(list(model.blocks[0].iter_modules()))}")
    print(f"calls {int(count_calls(model))}")
    print(describe(model, learning_rate))


if __name__ == "__main__":
    main()
