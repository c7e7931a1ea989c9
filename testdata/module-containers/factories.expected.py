from typing import Callable, Sequence

import jax.numpy as jnp
from flax import nnx


class Bijection(nnx.Module):
    def __init__(self, scale: float = 1.0):
        self.scale = nnx.Param(jnp.full((2,), scale))


class Chain(nnx.Module):
    def __init__(self, *bijections: Bijection):
        self.bijections = nnx.List(list(bijections))


class Stack(nnx.Module):
    def __init__(self, n: int, rngs: nnx.Rngs):
        layers = []
        for _ in range(n):
            layers.append(nnx.Linear(2, 2, rngs=rngs))
        self.layers = nnx.List(tuple(layers))


class Tower(nnx.Module):
    def __init__(self, block: type[nnx.Module], n: int):
        self.blocks = nnx.List()
        for _ in range(n):
            self.blocks.append(block())


class Factory(nnx.Module):
    def __init__(self, make: Callable[..., Bijection], n: int):
        self.blocks = nnx.List()
        for i in range(n):
            self.blocks.append(make(float(i)))


class Shapes(nnx.Module):
    def __init__(self, kernel_size: int | Sequence[int], *names: str):
        self.kernel_size = tuple(kernel_size) if not isinstance(kernel_size, int) else (kernel_size,)
        self.names = list(names)
        self.sizes = tuple(kernel_size) if isinstance(kernel_size, tuple) else ()
        self.kernel = tuple(kernel_size)
        self.defaults = [1, "a", None, 2.0]


class Unseen(nnx.Module):
    def __init__(self, block, n: int):
        self.blocks = []
        for _ in range(n):
            self.blocks.append(block())


class Rebound(nnx.Module):
    def __init__(self, block: type[nnx.Module] | None = None):
        if block is None:
            block = make_default
        self.blocks = [block()]


def make_default():
    return 0


def build():
    return [
        Chain(Bijection(1.0), Bijection(2.0)),
        Stack(2, nnx.Rngs(0)),
        Tower(Bijection, 2),
        Factory(Bijection, 2),
        Shapes((3, 3), "a", "b"),
    ]


if __name__ == "__main__":
    for model in build():
        leaves = nnx.to_flat_state(nnx.state(model, nnx.Param)) if hasattr(nnx, "to_flat_state") else \
            nnx.state(model, nnx.Param).flat_state()
        for path, leaf in leaves:
            value = leaf.get_value() if hasattr(leaf, "get_value") else leaf.value
            print(type(model).__name__, path, value.sum())
