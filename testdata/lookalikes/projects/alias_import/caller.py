import enum

from readers import read as fetch


class Level(enum.Enum):
    LOW = 0


def use():
    return fetch(Level.LOW)
