import enum

from readers import *  # noqa: F403


class Level(enum.Enum):
    LOW = 0


def use():
    return read(Level.LOW)  # noqa: F405
