import enum

from flax import nnx  # noqa: F401


class Level(enum.Enum):
    LOW = 0


def use():
    from readers import read

    return read(Level.LOW)
