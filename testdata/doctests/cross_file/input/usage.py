"""Using a block from another module.

>>> from flax import nnx
>>> import layers
>>> block = layers.Block(3, nnx.Rngs(1))
>>> block.linear.bias.value.shape
(3,)
"""
