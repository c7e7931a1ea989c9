import jax.numpy as jnp
from flax import nnx

current = nnx.Param(jnp.zeros(3))


def read_current():
    return current.value  # LOOKALIKE: another module assigns `state.current` an Enum
