import dataclasses

import jax
from flax import nnx


@dataclasses.dataclass
class Config(nnx.Pytree):
    weights: nnx.Data[jax.Array]
    depth: nnx.Static[int] = 2


class Block(nnx.Module):
    cache: nnx.Data[list]
    name: nnx.Static[str]

    def __init__(self, name: str):
        self.cache = []
        self.name = name
