import jax
import jax.numpy as jnp
from flax import nnx


class Linear(nnx.Module):
    def __init__(self, din: int, dout: int, *, rngs: nnx.Rngs):
        key = rngs.params()
        self.w = nnx.Param(jax.random.uniform(key, (din, dout)))
        self.b = nnx.Param(jnp.zeros((dout,)))
        self.scale = nnx.Param(nnx.initializers.ones_init()(key, (dout,)))
        self.shift = nnx.Param(nnx.initializers.zeros(key, (dout,)))

    def __call__(self, x):
        # a comment that must survive
        y = x @ self.w.value + self.b.value  # trailing comment
        y = y * self.scale.value + (
            self.shift.value  # inside parentheses
        )
        print(self.w.value.shape, self.b.value.dtype, self.w.value.T.ndim)
        return (self.w.value)[0] + y
