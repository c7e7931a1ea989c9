from flax import nnx
import jax.numpy as jnp


class Block(nnx.Module):
  """A block of layers.

  Example::

    >>> from flax import nnx
    >>> class Stack(nnx.Module):
    ...   def __init__(self, *, rngs: nnx.Rngs):
    ...     self.layers = nnx.List([nnx.Linear(2, 2, rngs=rngs) for _ in range(2)])
    ...     self.count = nnx.BatchStat(jnp.zeros(()))
    ...
    ...   def __call__(self, x):
    ...     self.count[...] += 1
    ...     for layer in self.layers:
    ...       x = layer(x)
    ...     return x
    >>> stack = Stack(rngs=nnx.Rngs(0))
    >>> stack.count[...]
    Array(0., dtype=float32)
  """

  def __init__(self, *, rngs: nnx.Rngs):
    self.linear = nnx.Linear(2, 2, rngs=rngs)

  def reset(self):
    """Zero the kernel.

    >>> from flax import nnx
    >>> from class_and_function import Block
    >>> block = Block(rngs=nnx.Rngs(0))
    >>> block.reset()
    >>> params = nnx.state(block, nnx.Param)
    >>> params['linear']['bias'].set_value(params['linear']['bias'].get_value() + 1)
    >>> block.linear.kernel.shape
    (2, 2)
    """
    self.linear.kernel.set_value(jnp.zeros((2, 2)))


async def fetch(model):
  """Also in async functions.

  >>> from flax import nnx
  >>> rngs = nnx.Rngs(0)
  >>> keys = rngs.split(4)
  >>> layer = nnx.Linear(2, 2, rngs=rngs)
  >>> (layer.kernel[...], layer.bias[...])[1].shape
  (2,)
  """
  return model
