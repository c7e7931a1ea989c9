"""Examples run with this module's globals (doctest, pytest --doctest-modules): `jnp` in an
example that never imports it is this module's import.

>>> from flax import nnx
>>> count = nnx.BatchStat(jnp.zeros(()))
>>> count[...]
Array(0., dtype=float32)
"""
import jax.numpy as jnp
from flax import nnx


def scale(layer):
  """A name the example binds itself is its own, not the module's.

  >>> from flax import nnx
  >>> jnp = lambda shape: nnx.Param(1.0)
  >>> weight = nnx.Param(jnp(()))
  >>> weight.get_value()
  1.0
  """
  return layer


def shift(layer):
  """A name the module does not import stays unknown.

  >>> from flax import nnx
  >>> bias = nnx.Param(np.zeros(()))
  >>> bias.get_value()
  0.0
  """
  return layer
