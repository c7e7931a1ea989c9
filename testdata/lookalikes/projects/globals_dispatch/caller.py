import enum

from readers import dispatch


class Level(enum.Enum):
    LOW = 0


def use():
    return dispatch("read", Level.LOW)
