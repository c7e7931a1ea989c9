import enum
import inspect

import pkg.readers
from flax import nnx  # noqa: F401


class Level(enum.Enum):
    LOW = 0


def use_all():
    return [function(Level.LOW) for _, function in inspect.getmembers(pkg.readers, inspect.isfunction)]
