import jax
import jax.numpy as jnp
from flax import nnx


class ArrayParam(nnx.Param):
    @classmethod
    def bound(cls, shape, init_method, *, key=None, value=None):
        if value is None:
            value = jax.nn.initializers.normal()(key, shape)
        return cls(value=value)


class Block(nnx.Module):
    def __init__(self, n, *, rngs: nnx.Rngs):
        self.kernel = ArrayParam.bound((n, n), "normal", key=rngs.params())

    def __call__(self, x):
        return x @ self.kernel.get_value()
