def scale(model):
  r"""A raw docstring reads as doctest runs it, backslashes included.

  >>> from flax import nnx
  >>> layer = nnx.Linear(2, 3, rngs=nnx.Rngs(0))
  >>> print("kernel:\t", layer.kernel.value.shape)
  kernel:	 (2, 3)
  """
  return model
