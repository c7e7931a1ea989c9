from flax import nnx

from mylib.layers import Block


class Probe(nnx.Module):  # a test's class: not part of the published project
    def __init__(self, *, rngs: nnx.Rngs):
        self.block = Block(2, rngs)


def test_probe():
    assert Probe(rngs=nnx.Rngs(0)).block is not None
