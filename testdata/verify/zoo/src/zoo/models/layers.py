import jax
import jax.numpy as jnp
from flax import nnx

from zoo.config import ConvSpec, MLPSettings


class Gated(nnx.Module):
    """A string choice found in the class body, keyword-only rngs, a train flag."""

    def __init__(self, features: int, act: str, rngs: nnx.Rngs):
        if act not in ("silu", "tanh"):
            raise ValueError(act)
        self.act = act
        self.proj = nnx.Linear(features, 2 * features, rngs=rngs)
        self.calls = nnx.Variable(jnp.zeros((), jnp.int32))

    def __call__(self, x, *, deterministic: bool = True):
        a, b = jnp.split(self.proj(x), 2, axis=-1)
        gate = jax.nn.silu(a) if self.act == "silu" else jnp.tanh(a)
        self.calls.value += 1
        return gate * b * 0.5


class ConvStack(nnx.Module):
    """Config as a NamedTuple, tuple sizes."""

    def __init__(self, spec: ConvSpec, strides: tuple[int, int], rngs: nnx.Rngs):
        self.conv = nnx.Conv(spec.channels, spec.channels, spec.kernel_size, strides=strides, rngs=rngs)
        self.norm = nnx.BatchNorm(spec.channels, rngs=rngs)

    def __call__(self, x, train: bool = False):
        return nnx.relu(self.norm(self.conv(x), use_running_average=not train))


class Tower(nnx.Module):
    """A plain config class whose defaults are large: built small."""

    def __init__(self, settings: MLPSettings, rngs: nnx.Rngs):
        self.layers = nnx.List([nnx.Linear(settings.width, settings.width, rngs=rngs) for _ in range(settings.depth)])
        self.scale = settings.scale

    def __call__(self, x):
        for layer in self.layers:
            x = nnx.gelu(layer(x))
        return x * self.scale


class Head(nnx.Module):
    """A Module-typed parameter: built first."""

    def __init__(self, trunk: Gated, num_classes: int, rngs: nnx.Rngs):
        self.trunk = trunk
        self.out = nnx.Linear(trunk.proj.in_features, num_classes, rngs=rngs)

    def __call__(self, x, *, deterministic: bool = True):
        return self.out(self.trunk(x, deterministic=deterministic))
