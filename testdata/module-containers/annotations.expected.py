import dataclasses

import jax
from flax import nnx


@dataclasses.dataclass
class Config(nnx.Pytree):
    weights: jax.Array = nnx.data()
    depth: int = nnx.static(default=2)


class Block(nnx.Module):
    cache: list
    name: str

    def __init__(self, name: str):
        self.cache = nnx.data([])
        self.name = nnx.static(name)
