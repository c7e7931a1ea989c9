"""Items of nnx.Dict / nnx.List / nnx.State whose contents nothing shows, and State paths
where `value` (or `kernel`) names a submodule in this project."""

import enum

import jax
import jax.numpy as jnp
from flax import nnx


class Mode(enum.Enum):
    TRAIN = 0


def from_dict(config: nnx.Dict):
    return config["mode"].value  # LOOKALIKE: an nnx.Dict item: a static Enum here (see build), or a Variable: unknown


def from_list(items: nnx.List):
    return items[0].value  # LOOKALIKE: an nnx.List item of unknown contents


def from_state(state: nnx.State):
    return state["attn"].value  # LOOKALIKE: `attn` may be a sub-State whose `value` is a submodule


def from_state_attr(state: nnx.State):
    return state.attn.value  # LOOKALIKE: same, by attribute


def build():
    return from_dict(nnx.Dict({"mode": Mode.TRAIN}))


class Gate(nnx.Module):
    def __init__(self):
        self.value = nnx.Param(jnp.ones(3))


class Attention(nnx.Module):
    def __init__(self, *, rngs: nnx.Rngs):
        self.value = nnx.Linear(3, 3, rngs=rngs)


class RBF(nnx.Module):
    def __init__(self):
        self.lengthscale = nnx.Param(jnp.ones(()))


class GP(nnx.Module):
    def __init__(self):
        self.kernel = RBF()


class Model(nnx.Module):
    def __init__(self, *, rngs: nnx.Rngs):
        self.gate = Gate()
        self.attn = Attention(rngs=rngs)
        self.gp = GP()
        self.dense = nnx.Linear(3, 3, rngs=rngs)


def ambiguous(model: Model):
    state = nnx.state(model)
    return jax.tree.leaves(state.attn.value)  # LOOKALIKE: Attention.value is a Linear: a sub-State, although Gate.value is a Param


def ambiguous_subscript(model: Model):
    state = nnx.state(model)
    return jax.tree.leaves(state["attn"].value)  # LOOKALIKE: same through a subscript


def gp_kernel(model: Model):
    state = nnx.state(model)
    return jax.tree.leaves(state.gp.kernel.value)  # LOOKALIKE: GP.kernel is the RBF submodule: `.value` of a sub-State
