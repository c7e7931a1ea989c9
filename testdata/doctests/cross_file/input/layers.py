from flax import nnx


class Block(nnx.Module):
  def __init__(self, din: int, rngs: nnx.Rngs):
    self.linear = nnx.Linear(din, din, rngs=rngs)


def build(din: int):
  """A block, as the docs show it.

  >>> from flax import nnx
  >>> from layers import Block
  >>> block = Block(2, nnx.Rngs(0))
  >>> block.linear.kernel.value.shape
  (2, 2)
  """
  return Block(din, nnx.Rngs(0))
