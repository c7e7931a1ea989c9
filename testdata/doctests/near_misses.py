"""Docstring examples that must stay as they are.

  >>> from flax import nnx
  >>> layer = nnx.Linear(2, 3, rngs=nnx.Rngs(0))
  >>> x.value
  >>> model.kernel.value
  >>> layer.kernel.value +
  >>> print("a\\nb"); layer.kernel.value
  a
  b
  >>> print(layer.bias.value, "\
  ... ")
"""

import enum

from flax import nnx

model = nnx.Linear(2, 3, rngs=nnx.Rngs(0))


class Color(enum.Enum):
  """Enum values are not Variables.

  >>> Color.RED.value
  1
  >>> import enum
  >>> class Size(enum.Enum):
  ...   SMALL = 1
  >>> Size.SMALL.value
  1
  """

  RED = 1


def uses_another_docstrings_name():
  """`layer` is bound in the module's docstring, not here.

  >>> layer.kernel.value.shape
  (2, 3)
  """


def not_a_docstring():
  x = 1
  """Not a docstring: the second statement.

  >>> from flax import nnx
  >>> layer = nnx.Linear(2, 3, rngs=nnx.Rngs(0))
  >>> layer.kernel.value
  """
  return x


EXAMPLE = """
>>> from flax import nnx
>>> layer = nnx.Linear(2, 3, rngs=nnx.Rngs(0))
>>> layer.kernel.value
"""


def concatenated():
  (""">>> from flax import nnx
  >>> layer = nnx.Linear(2, 3, rngs=nnx.Rngs(0))
  """ """>>> layer.kernel.value
  """)


def prompt_without_space():
  """Doctest rejects this docstring, so it is left alone.

  >>> from flax import nnx
  >>> layer = nnx.Linear(2, 3, rngs=nnx.Rngs(0))
  >>>layer.kernel.value
  """


def escapes_add_examples():
  """doctest reads three examples where the text shows two.

  >>> from flax import nnx; layer = nnx.Linear(2, 3, rngs=nnx.Rngs(0)); s = "\n>>> "
  >>> layer.kernel.value
  """
