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


def test_annotated():
    class Counter(nnx.Module):
        def __init__(self):
            self.count = nnx.BatchStat(0)

    def step(m: Counter, other: "Counter"):
        m  # revealed: local_classes.test_annotated.Counter
        m.count  # revealed: nnx.BatchStat
        other.count  # revealed: nnx.BatchStat

    return step


def annotated_rebound(flag, other):
    class Counter(nnx.Module):
        pass

    if flag:
        Counter = other

    def step(m: Counter):
        m  # revealed: unknown

    step(other)


def annotated_two_classes(flag):
    if flag:
        class Counter(nnx.Module):
            pass
    else:
        class Counter(nnx.Module):  # a second class statement of the same name
            pass

    def step(m: Counter):
        m  # revealed: unknown

    return step
