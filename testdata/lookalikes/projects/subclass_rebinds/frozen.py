import dataclasses

from base import Scaler


@dataclasses.dataclass
class Fixed:
    value: float


class FrozenScaler(Scaler):
    def __init__(self, t: float):
        super().__init__()
        self.temperature = Fixed(t)

    def make_bias(self):
        return Fixed(0.0)
