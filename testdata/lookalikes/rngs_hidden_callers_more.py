"""More constructor calls through the instance's class that pass rngs by position:
`self.__class__(*args)`, `type(m)(*fields)` in a helper that takes any Module, and a base
class's `type(self)(...)` that runs a subclass's constructor."""

from flax import nnx


class Dense(nnx.Module):
    def __init__(self, size, rngs: nnx.Rngs):  # LOOKALIKE: copy() calls it through self.__class__(*args)
        self.size = size
        self.linear = nnx.Linear(size, size, rngs=rngs)

    def copy(self, rngs: nnx.Rngs):
        args = (self.size, rngs)
        return self.__class__(*args)


class Conv(nnx.Module):
    def __init__(self, channels, rngs: nnx.Rngs):  # LOOKALIKE: rebuild() may call any class with *fields
        self.channels = channels
        self.conv = nnx.Conv(channels, channels, (3,), rngs=rngs)


def rebuild(m, *fields):
    return type(m)(*fields)


def rebuild_conv(rngs: nnx.Rngs):
    return rebuild(Conv(4, rngs=rngs), 8, rngs)


class Cell(nnx.Module):
    def __init__(self, width, rngs: nnx.Rngs):  # LOOKALIKE: grow() on a Wide runs Wide's constructor with rngs by position
        self.width = width
        self.linear = nnx.Linear(width, width, rngs=rngs)

    def grow(self, rngs: nnx.Rngs):
        return type(self)(self.width * 2, rngs)


class Wide(Cell):
    def __init__(self, width, rngs: nnx.Rngs, factor=2):  # LOOKALIKE: Cell.grow() calls it as type(self)(width, rngs)
        super().__init__(width * factor, rngs=rngs)
