import jax
import jax.numpy as jnp
from flax import nnx


def shard(x, spec):
    """Annotates a Variable with a sharding; returns it."""
    return x


def reshard(x, spec):
    return jax.lax.with_sharding_constraint(x, spec)


class Attention(nnx.Module):
    def __init__(self, n: int, *, rngs: nnx.Rngs):
        key = rngs.params()
        self.w = shard(nnx.Param(jax.random.normal(key, (n, n))), ("model", None))
        self.k_cache = reshard(nnx.Cache(jnp.zeros((n,))), ("model",))

    def __call__(self, x):
        self.k_cache.value = x  # a write: kept exact
        return x @ self.w.value


def train(model: Attention, loss_fn, x):
    grads = nnx.grad(loss_fn)(model)
    kernel_grad = grads['w'].value
    loss, grads = nnx.value_and_grad(loss_fn)(model)
    return kernel_grad, grads['k_cache'].value


@nnx.grad
def sum_dict(m: nnx.Dict):
    return m['a'][0].value + m['b'].value


def plain_values(state: nnx.State):
    return jax.tree.map(lambda v: v.value, state, is_leaf=lambda x: isinstance(x, nnx.Variable))


def counter(n):
    w = nnx.Param(jnp.ones((n,)))
    count = nnx.BatchStat(jnp.zeros(()))

    @nnx.jit
    def step(w, count):
        count.value += 1
        return w.value * 2

    return step(w, count)


def rebound(v, other):
    if isinstance(v, nnx.Param):
        v = other.lookup()
        return v.value  # no longer known to be a Param
    return None


def narrowed(v):
    if not isinstance(v, nnx.Param):
        return None
    return v.value


def residual(x, block):
    h = nnx.Param(jnp.zeros(3))
    h = h.value
    for _ in range(3):
        h = h + block(h)
    return h
