# The methods of a class defined in a def see the def's names, whichever question reaches
# them first (here a Module of unknown class, whose `.count` the project's classes decide).
from flax import nnx
from flax.nnx import Param


def first(m: nnx.Module):
    m.count  # revealed: local_class_methods.test_counter.Count
    m.w  # revealed: unknown


def test_counter():
    class Count(nnx.Variable):
        pass

    class Counter(nnx.Module):
        def __init__(self):
            self.count = Count(0)

    Counter().count  # revealed: local_class_methods.test_counter.Count


def shadowed(make):
    # near-miss: the def's own `Param` hides the module's import inside the class's methods
    Param = make()

    class Holder(nnx.Module):
        def __init__(self):
            self.w = Param(1)

    Holder().w  # revealed: unknown
