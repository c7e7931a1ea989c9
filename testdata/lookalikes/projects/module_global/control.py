import enum

import state


class Level(enum.Enum):
    LOW = 0


def downgrade():
    state.current = Level.LOW
