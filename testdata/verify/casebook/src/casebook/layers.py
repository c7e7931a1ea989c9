import jax.numpy as jnp
from flax import nnx


class Mixer(nnx.Module):
    """An einsum equation: nothing in the class says which strings it accepts."""

    def __init__(self, equation: str, kernel_shape: tuple[int, ...], rngs: nnx.Rngs):
        self.einsum = nnx.Einsum(equation, kernel_shape, rngs=rngs)
        self.gain = nnx.Param(jnp.full((kernel_shape[-1],), 1.5))

    def __call__(self, x):
        return self.einsum(x) * self.gain.value


class Residual(nnx.Module):
    """Any Module will do for `inner`: the caller decides which."""

    def __init__(self, inner: nnx.Module, width: int, rngs: nnx.Rngs):
        self.inner = inner
        self.norm = nnx.LayerNorm(width, rngs=rngs)
        self.calls = nnx.Variable(jnp.zeros((), jnp.int32))

    def __call__(self, x):
        self.calls.value += 1
        return x + self.inner(self.norm(x))


class Recurrent(nnx.Module):
    """A carry passed between calls, before the input."""

    def __init__(self, width: int, rngs: nnx.Rngs):
        self.cell = nnx.Linear(2 * width, width, rngs=rngs)

    def __call__(self, carry, x):
        h = jnp.tanh(self.cell(jnp.concatenate([carry, x], axis=-1)))
        return h, h * 0.5
