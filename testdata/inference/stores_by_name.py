# An attribute stored under a run-time name may be any attribute, unless the name cannot be
# it: an f-string begins and ends with its literal text (`f"child{i}"` is never `x`).
from flax import nnx


class Tree(nnx.Module):
    def __init__(self, width, depth):
        self.x = nnx.Param(1)
        self.child_x = nnx.Param(2)
        if depth > 0:
            for i in range(width):
                setattr(self, f"child{i}", Tree(width, depth - 1))


class Suffixed(nnx.Module):
    def __init__(self, names):
        self.x = nnx.Param(1)
        self.a_x = nnx.Param(2)
        for name in names:
            setattr(self, f"{name}_x", nnx.Linear(2, 2, rngs=nnx.Rngs(0)))


class Named(nnx.Module):
    def __init__(self, name):
        self.x = nnx.Param(1)
        setattr(self, name, 3)  # any name at all


class Formatted(nnx.Module):
    def __init__(self, i):
        self.x = nnx.Param(1)
        setattr(self, f"{i}", 3)  # no literal text: any name


def reads(t: Tree, s: Suffixed, n: Named, f: Formatted):
    t.x  # revealed: nnx.Param
    t.child_x  # revealed: unknown
    s.x  # revealed: nnx.Param
    s.a_x  # revealed: unknown
    n.x  # revealed: unknown
    f.x  # revealed: unknown
