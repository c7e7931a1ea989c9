# A class statement in a function is a class like a module's (test suites define most here).
from flax import nnx


def test_model():
    class Foo(nnx.Module):
        def __init__(self, din, dout, *, rngs: nnx.Rngs):
            self.linear = nnx.Linear(din, dout, rngs=rngs)

    class Bar(Foo):
        pass

    m = Foo(2, 3, rngs=nnx.Rngs(0))
    m  # revealed: local_classes.test_model.Foo
    m.linear.kernel  # revealed: nnx.Param[array]
    Bar(2, 3, rngs=nnx.Rngs(0)).linear  # revealed: nnx.Linear

    def nested():
        Foo  # revealed: type[local_classes.test_model.Foo]


def rebound(flag, other):
    class Foo(nnx.Module):
        pass

    if flag:
        Foo = other
    Foo()  # revealed: unknown
