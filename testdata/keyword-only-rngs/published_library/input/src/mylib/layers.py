# An installable project (pyproject.toml names it): its public constructors are called
# by users outside the repository, so they keep `rngs` positional unless --unsafe-fixes.
from flax import nnx


class Block(nnx.Module):  # public: kept
    def __init__(self, din, rngs: nnx.Rngs):
        self.linear = nnx.Linear(din, 3, rngs=rngs)


class _Base(nnx.Module):  # private, but its constructor runs for the public `Wide`: kept
    def __init__(self, din, rngs: nnx.Rngs):
        self.linear = nnx.Linear(din, 8, rngs=rngs)


class Wide(_Base):
    pass


class _Helper(nnx.Module):  # private and only built here: changed with its calls
    def __init__(self, din, rngs: nnx.Rngs):
        self.linear = nnx.Linear(din, 3, rngs=rngs)


def build(rngs):
    def local_model():
        class Local(nnx.Module):  # defined in a def: nobody outside can call it
            def __init__(self, rngs: nnx.Rngs):
                self.linear = nnx.Linear(2, 2, rngs=rngs)

        return Local(rngs).linear

    return Block(2, rngs), Wide(2, rngs), _Helper(2, rngs), local_model()
