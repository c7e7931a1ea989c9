"""The branches of nnx.cond get its operands, their graph nodes merged back: a Variable
passed is a Variable there."""
import jax.numpy as jnp
from flax import nnx


def collatz(start):
    def even(x):
        x.set_value(x // 2)

    def odd(x):
        x.set_value(3 * x + 1)

    x = nnx.Variable(jnp.array(start))
    nnx.cond(x % 2 == 0, even, odd, x)
    return x
