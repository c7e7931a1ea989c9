import dataclasses

from flax import nnx


@dataclasses.dataclass
class Config(nnx.Pytree):
    depth: nnx.Static[int] = nnx.static(default=2)
    scale: nnx.Data[float] = nnx.data(default=1.0)
    width: nnx.Static[int] = 4


class Block(nnx.Module):
    depth: nnx.Static[int] = nnx.static(default=2)

    def __init__(self, width: int):
        self.width = width


@dataclasses.dataclass
class New(nnx.Pytree):
    depth: int = nnx.static(default=2)
    scale: float = nnx.data(default=1.0)


class Mixed(nnx.Module):
    depth: nnx.Static[int] = nnx.data(default=2)
    size: nnx.Static[int] = dataclasses.field(default=3)

    def __init__(self):
        self.size = 3
