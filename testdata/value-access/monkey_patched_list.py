"""A list of Modules with a function put in one place (flax's demo guide): an element's
`.linear` is a Block's, since reading it on the function raises."""
import jax.numpy as jnp
from flax import nnx


class Block(nnx.Module):
    def __init__(self, din, dout, *, rngs):
        self.linear = nnx.Linear(din, dout, rngs=rngs)

    def __call__(self, x):
        return nnx.relu(self.linear(x))


class MLP(nnx.Module):
    def __init__(self, nlayers, dim, *, rngs):
        self.blocks = [Block(dim, dim, rngs=rngs) for _ in range(nlayers)]

    def __call__(self, x):
        for block in self.blocks:
            x = block(x)
        return x


def identity(x):
    return x


def build():
    model = MLP(5, 4, rngs=nnx.Rngs(0))
    model.blocks[1] = model.blocks[3]  # module sharing
    model.blocks[2] = identity  # monkey patching
    kernel = model.blocks[0].linear.kernel.value  # read
    return model, model(jnp.ones((2, 4))), kernel
