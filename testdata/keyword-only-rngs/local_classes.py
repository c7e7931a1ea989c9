# Classes defined inside test functions: their calls are found through the bindings
# that reach them, so signature and calls change together.
from flax import nnx


def test_local():
    class Block(nnx.Module):
        def __init__(self, din, rngs: nnx.Rngs):
            self.linear = nnx.Linear(din, 3, rngs=rngs)

    block = Block(2, nnx.Rngs(0))
    assert block is not None


def test_local_subclass_and_closure():
    class Base(nnx.Module):
        def __init__(self, rngs: nnx.Rngs):
            self.linear = nnx.Linear(2, 3, rngs=rngs)

    class Child(Base):  # inherits Base's constructor
        pass

    def build(seed):
        return Child(nnx.Rngs(seed))  # a closure reads the class of the enclosing def

    assert isinstance(build(0), Base)


class TestInMethods:
    def test_method(self):
        class Block(nnx.Module):  # another Block: its own qualified name
            def __init__(self, rngs):
                self.linear = nnx.Linear(2, 3, rngs=rngs)

        assert Block(nnx.Rngs(1)) is not None
