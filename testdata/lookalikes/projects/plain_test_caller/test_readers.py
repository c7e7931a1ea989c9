import enum

from readers import read


class Level(enum.Enum):
    LOW = 0


def test_read_enum():
    assert read(Level.LOW) == 0
