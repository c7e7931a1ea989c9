"""A convolutional network in the style of real model zoos: stage sizes as tuples in a
config built by a named factory with keyword arguments, a raw jax key for stochastic
depth, and a required train flag."""

import dataclasses
from typing import Sequence

import jax
import jax.numpy as jnp
from flax import nnx


@dataclasses.dataclass
class VisionConfig:
    stage_depths: Sequence[int]
    stage_dims: Sequence[int]
    drop_path_rate: float
    num_classes: int
    in_channels: int = 3

    @classmethod
    def net_tiny_224(cls, *, drop_path_rate: float = 0.0, num_classes: int = 1000):
        return cls(stage_depths=(2, 4), stage_dims=(96, 192), drop_path_rate=drop_path_rate, num_classes=num_classes)


def drop_path(x, rate: float, *, rngs, train: bool):
    if rate == 0.0 or not train:
        return x
    keep = jax.random.bernoulli(rngs, 1.0 - rate, (x.shape[0],) + (1,) * (x.ndim - 1))
    return x * keep / (1.0 - rate)


class Block(nnx.Module):
    def __init__(self, cfg: VisionConfig, stage_idx: int, rngs: nnx.Rngs):
        dim = cfg.stage_dims[stage_idx]
        self.conv = nnx.Conv(dim, dim, (3, 3), feature_group_count=dim, rngs=rngs)
        self.norm = nnx.LayerNorm(dim, rngs=rngs)
        self.gamma = nnx.Param(jnp.full((dim,), 0.1))
        self.rate = cfg.drop_path_rate

    def __call__(self, x, *, rngs: jax.Array, train: bool):
        y = self.gamma.value * self.norm(self.conv(x))
        return x + drop_path(y, self.rate, rngs=rngs, train=train)


class Net(nnx.Module):
    def __init__(self, cfg: VisionConfig, rngs: nnx.Rngs):
        self.stem = nnx.Conv(cfg.in_channels, cfg.stage_dims[0], (2, 2), strides=(2, 2), rngs=rngs)
        self.stages = nnx.List([
            nnx.List([Block(cfg, i, rngs) for _ in range(depth)]) for i, depth in enumerate(cfg.stage_depths)
        ])
        self.downs = nnx.List([nnx.Linear(a, b, rngs=rngs) for a, b in zip(cfg.stage_dims, cfg.stage_dims[1:])])
        self.head = nnx.Linear(cfg.stage_dims[-1], cfg.num_classes, rngs=rngs)

    def __call__(self, x, *, rngs: jax.Array, train: bool = False):
        x = self.stem(x)
        for i, stage in enumerate(self.stages):
            if i:
                x = self.downs[i - 1](x)
            for block in stage:
                x = block(x, rngs=rngs, train=train)
        return self.head(jnp.mean(x, axis=(1, 2)))
