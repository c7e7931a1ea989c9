import enum

import readers

READERS = vars(readers)


class Level(enum.Enum):
    LOW = 0


def use(reader_name: str):
    return READERS[reader_name](Level.LOW)
