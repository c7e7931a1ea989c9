import typing
from collections.abc import Callable

import jax
import jax.numpy as jnp
from flax import nnx, struct


@struct.dataclass
class Transformed:
    """A parameter and the function applied to it: a jax pytree, not a Module."""

    param: nnx.Variable
    transform: Callable | None = None

    @property
    def value(self):
        if self.transform is None:
            return self.param[...]
        return self.transform(self.param[...])


@struct.dataclass
class Tagged:
    name: str
    weight: jax.Array
    table: jax.Array = struct.field(pytree_node=False)


class Pair(typing.NamedTuple):
    left: nnx.Param
    right: nnx.Param


class Meta(struct.PyTreeNode):
    size: int
    note: str = "plain"


def wrap(x):
    return nnx.Param(jnp.asarray(x))


def make(x):
    return Transformed(x)


class Scale(nnx.Module):
    def __init__(self, shape: tuple[int, ...], rngs: nnx.Rngs):
        # the engine cannot type `wrap(...)`: the field's annotation says it is a Variable
        self.scale = Transformed(param=wrap(jnp.zeros(shape)), transform=jnp.exp)
        self.shift = Transformed(nnx.Param(jnp.zeros(shape)))
        self.tagged = Tagged("w", jnp.ones(shape), table=jnp.arange(3))
        self.pair = Pair(nnx.Param(jnp.ones(shape)), nnx.Param(jnp.zeros(shape)))

    def __call__(self, x):
        return x * self.scale.value + self.shift.value


class NearMisses(nnx.Module):
    def __init__(self, rngs: nnx.Rngs):
        self.meta = Meta(3)  # no field holds data: static, as on 0.11
        self.names = Tagged("w", 1.0, table=jnp.arange(3))  # a float; the array is in a static field
        self.made = make(2.0)  # what a factory returns: its arguments are not the fields
        self.plain = Transformed(param=2.0)  # the engine types the argument: a float
        self.kept = nnx.data(Transformed(nnx.Param(jnp.ones(2))))  # already wrapped
