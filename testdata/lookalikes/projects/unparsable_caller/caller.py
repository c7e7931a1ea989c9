import enum

from flax import nnx  # noqa: F401
from readers import read


class Level(enum.Enum):
    LOW = 0


def use():
<<<<<<< HEAD
    return read(Level.LOW)
=======
    return read(Level.LOW, 2)
>>>>>>> feature
