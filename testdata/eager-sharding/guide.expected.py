# nnx-migrate-test: --unsafe-fixes
"""flax 0.10's "Scale up on multiple devices" guide: annotations applied under `with mesh:`."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx
from jax.sharding import Mesh, NamedSharding, PartitionSpec

count = len(jax.devices())
mesh = Mesh(devices=np.array(jax.devices()).reshape(2 if count % 2 == 0 else 1, -1), axis_names=("data", "model"))


class DotReluDot(nnx.Module):
    def __init__(self, depth: int, rngs: nnx.Rngs):
        init_fn = nnx.initializers.lecun_normal()
        self.dot1 = nnx.Linear(
            depth, depth,
            kernel_init=nnx.with_partitioning(init_fn, (None, "model")),
            use_bias=False,
            rngs=rngs)
        self.w2 = nnx.Param(init_fn(rngs.params(), (depth, depth)), sharding=("model", None))

    def __call__(self, x: jax.Array):
        y = jax.nn.relu(self.dot1(x))
        y = jax.lax.with_sharding_constraint(y, PartitionSpec("data", "model"))
        return jnp.dot(y, self.w2.value)


@nnx.jit
def create_sharded_model():
    model = DotReluDot(16, rngs=nnx.Rngs(0))  # unsharded at this moment
    state = nnx.state(model)
    pspecs = nnx.get_partition_spec(state)
    sharded_state = jax.lax.with_sharding_constraint(state, pspecs)
    nnx.update(model, sharded_state)
    return model


with jax.set_mesh(mesh):
    sharded_model = create_sharded_model()

data_sharding = NamedSharding(mesh, PartitionSpec("data", None))
inputs = jax.device_put(jnp.ones((8, 16)), data_sharding)
labels = jax.device_put(jnp.linspace(0.0, 1.0, 8 * 16).reshape(8, 16), data_sharding)
optimizer = nnx.Optimizer(sharded_model, optax.sgd(0.1))


@nnx.jit
def train_step(model, optimizer, x, y):
    def loss_fn(model):
        return jnp.mean((model(x) - y) ** 2)

    loss, grads = nnx.value_and_grad(loss_fn)(model)
    optimizer.update(grads)
    return loss


with jax.set_mesh(mesh):  # the training loop, as in the guide
    output = sharded_model(inputs)
    for step in range(3):
        loss = train_step(sharded_model, optimizer, inputs, labels)

print(sharded_model.dot1.kernel.value.sharding.spec, sharded_model.w2.value.sharding.spec)
print(float(jnp.sum(output)), float(loss))
