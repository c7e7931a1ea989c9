"""Helpers for a small MLP.

A name bound in one example is seen by the later ones::

  >>> from flax import nnx
  >>> import jax.numpy as jnp
  >>> model = nnx.Linear(2, 3, rngs=nnx.Rngs(0))
  >>> bool((model.kernel[...] != 0).any())
  True
  >>> model.bias[...] += 1
  >>> print(model.bias[...])
  [1. 1. 1.]
  >>> counter = nnx.Variable(jnp.zeros(()))
  >>> counter.set_value(counter[...] + 1)
  >>> for name, sub in nnx.iter_modules(model):
  ...     print(name)
  ()
"""

from flax import nnx


def double(x):
    return 2 * x
