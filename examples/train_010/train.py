"""A training script in the flax 0.10 style: BatchNorm, nnx.Optimizer, a jitted train
step, State methods. A few SGD steps on fixed random data; prints what must not change."""

import jax
import jax.numpy as jnp
import optax
from flax import nnx


class Classifier(nnx.Module):
    def __init__(self, din: int, dhidden: int, dout: int, rngs: nnx.Rngs):
        self.hidden = nnx.Linear(din, dhidden, use_bias=False, rngs=rngs)
        self.bn = nnx.BatchNorm(dhidden, rngs=rngs)
        self.out = nnx.Linear(dhidden, dout, rngs=rngs)
        self.seen = nnx.Variable(jnp.zeros((), jnp.int32))

    def __call__(self, x):
        self.seen.value += x.shape[0]
        return self.out(nnx.relu(self.bn(self.hidden(x))))


def loss_fn(model: Classifier, x, labels):
    logits = model(x)
    return optax.softmax_cross_entropy_with_integer_labels(logits, labels).mean()


@nnx.jit
def train_step(model, optimizer, x, labels):
    loss, grads = nnx.value_and_grad(loss_fn)(model, x, labels)
    optimizer.update(grads)
    return loss


def main():
    model = Classifier(8, 32, 4, nnx.Rngs(0))
    optimizer = nnx.Optimizer(model, optax.sgd(0.05, momentum=0.9))
    x = jax.random.normal(jax.random.key(1), (64, 8))
    labels = jax.random.randint(jax.random.key(2), (64,), 0, 4)
    for step in range(5):
        loss = train_step(model, optimizer, x, labels)
        print(f"step {step} loss {float(loss):.8e}")

    graphdef, state = nnx.split(model)
    params = state.filter(nnx.Param)
    stats = state.filter(nnx.BatchStat)
    flat = params.flat_state()
    print(f"param leaves {len(flat)}")
    print(f"param norm {float(sum(jnp.sum(v.value ** 2) for _, v in flat)):.8e}")
    print(f"bn mean {float(model.bn.mean.value.sum()):.8e} var {float(model.bn.var.value.sum()):.8e}")
    print(f"stats leaves {len(stats.flat_state())}")
    print(f"optimizer steps {int(optimizer.step.value)} seen {int(model.seen.value)}")
    model.eval()
    print(f"eval loss {float(loss_fn(model, x, labels)):.8e}")


if __name__ == "__main__":
    main()
