"""Look-alikes of cond_branches.py: a branch with another caller."""
import jax.numpy as jnp
from flax import nnx


def branch_called_directly(x):
    def even(x):
        x.value = x // 2  # `even(3)` below: x may be anything

    def odd(x):
        x.value = 3 * x + 1

    nnx.cond(x % 2 == 0, even, odd, x)
    even(3)
