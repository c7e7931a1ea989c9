"""Helpers for a small MLP.

A name bound in one example is seen by the later ones::

  >>> from flax import nnx
  >>> import jax.numpy as jnp
  >>> model = nnx.Linear(2, 3, rngs=nnx.Rngs(0))
  >>> bool((model.kernel.value != 0).any())
  True
  >>> model.bias.value += 1
  >>> print(model.bias.value)
  [1. 1. 1.]
  >>> counter = nnx.Variable(jnp.zeros(()))
  >>> counter.value = counter.value + 1
  >>> for name, sub in model.iter_modules():
  ...     print(name)
  ()
"""

from flax import nnx


def double(x):
    return 2 * x
