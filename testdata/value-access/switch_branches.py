"""The branches of nnx.switch get its operands, their graph nodes merged back: a Module
passed is a Module there, its Variables are Variables."""
import jax.numpy as jnp
from flax import nnx


class RoundTable(nnx.Module):
    def __init__(self):
        self.linear = nnx.Linear(3, 3, rngs=nnx.Rngs(0))
        self.rounds = nnx.Variable(jnp.array(0))

    def __call__(self, index, x):
        def count(m, x):
            m.rounds.value += 1  # counted
            return m.linear(x)

        def zero(m, x):
            m.linear.kernel.value = jnp.zeros((3, 3))
            return m.linear(x)

        return nnx.switch(index, (count, zero), self, x)
