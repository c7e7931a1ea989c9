import enum

import readers
from flax import nnx  # noqa: F401


class Level(enum.Enum):
    LOW = 0


def use(reader_name: str):
    reader = getattr(readers, reader_name)  # a registry by name, e.g. from a config file
    return reader(Level.LOW)


def use_constant():
    return getattr(readers, "read")(Level.LOW)
