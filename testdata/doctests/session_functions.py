"""A docstring's examples are one session: a function each example defines again is
called by every call of its name there, and no other file calls it.

>>> from flax import nnx
>>> import jax.numpy as jnp
>>> def read(v):
...   return v.value
>>> read(nnx.Param(jnp.ones(3))).shape
(3,)

>>> def read(v):
...   return v.value + 1
>>> read(nnx.BatchStat(jnp.zeros(3))).shape
(3,)

>>> @nnx.update_context('example')
... def doubled(v):
...   return v.value * 2
>>> doubled(nnx.Param(jnp.ones(3))).shape
(3,)
"""
from flax import nnx


def scale(layer):
  """A name bound by a def and by an assignment: its calls may call something else.

  >>> from flax import nnx
  >>> import jax.numpy as jnp
  >>> def first(v):
  ...   return v.value
  >>> first(nnx.Param(jnp.ones(3))).shape
  (3,)
  >>> first = lambda v: v
  >>> first(3)
  3
  """
  return layer


def read(v):
  return v.value


def read(v):
  return v.value + 1


read(nnx.Param(1.0))
