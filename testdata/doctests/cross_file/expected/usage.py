"""Using a block from another module.

>>> from flax import nnx
>>> import layers
>>> block = layers.Block(3, rngs=nnx.Rngs(1))
>>> block.linear.bias.shape
(3,)
"""
