# Attributes that copy one another on one instance (a swap `m.a, m.b = m.b, m.a`,
# `self.b = self.a`) hold what the group gets otherwise, whatever the receiver is: where it
# is not an instance of the class, the store does not matter to the class.
import jax.numpy as jnp
from flax import nnx


class Inner(nnx.Module):
    def __init__(self):
        self.x = nnx.Param(jnp.ones(3))


class Shared(nnx.Module):
    def __init__(self):
        self.a = Inner()
        self.b = self.a


class Layers(nnx.Module):
    def __init__(self):
        self.first = nnx.Linear(2, 2, rngs=nnx.Rngs(0))
        self.second = nnx.Linear(2, 2, rngs=nnx.Rngs(1))


class Mixed(nnx.Module):
    def __init__(self):
        self.left = nnx.Param(jnp.ones(3))
        self.right = 3


class Replaced(nnx.Module):
    def __init__(self):
        self.p = Inner()
        self.q = self.p


def swap(m, tree):
    m.a, m.b = m.b, m.a  # `m` of unknown type: a Shared's a and b swap, nothing else
    m.first, m.second = m.second, m.first
    m.left, m.right = m.right, m.left  # a Param and an int swap: either may be either
    tree[0].p = tree[0].q  # not one name: `tree[0]` may be another object each time
    m.q = 1  # an int stored on what may be a Replaced


def reads(shared: Shared, layers: Layers, mixed: Mixed, replaced: Replaced):
    shared.a  # revealed: copy_groups.Inner
    shared.b  # revealed: copy_groups.Inner
    shared.a.x  # revealed: nnx.Param[array]
    layers.first  # revealed: nnx.Linear
    layers.second.kernel  # revealed: nnx.Param[array]
    mixed.left  # revealed: unknown
    mixed.right  # revealed: unknown
    replaced.p  # revealed: unknown
    replaced.q  # revealed: unknown
