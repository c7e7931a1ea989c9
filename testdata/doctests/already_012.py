"""Examples already in the flax 0.12 forms.

  >>> from flax import nnx
  >>> import jax.numpy as jnp
  >>> class Stack(nnx.Module):
  ...   def __init__(self, *, rngs: nnx.Rngs):
  ...     self.layers = nnx.List([nnx.Linear(2, 2, rngs=rngs)])
  ...     self.count = nnx.BatchStat(jnp.zeros(()))
  >>> stack = Stack(rngs=nnx.Rngs(0))
  >>> stack.count[...] += 1
  >>> stack.count.get_value()
  Array(1., dtype=float32)
  >>> stack.layers[0].kernel.set_value(jnp.ones((2, 2)))
  >>> for path, module in nnx.iter_modules(stack):
  ...   pass
  >>> keys = nnx.Rngs(0).split(2)
"""
