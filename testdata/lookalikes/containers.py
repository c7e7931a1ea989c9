"""Module attributes holding containers of things that are not Modules, Variables or arrays:
the module-containers rule must leave them as they are (plain static attributes)."""

import dataclasses
import enum
import functools

import jax.numpy as jnp
import optax
from flax import nnx


class Stage(enum.Enum):
    A = 1
    B = 2


@dataclasses.dataclass
class LayerSpec:
    width: int
    value: float = 0.0


def make_layer(width, *, rngs):
    return nnx.Linear(width, width, rngs=rngs)


class Model(nnx.Module):
    def __init__(self, widths, *, rngs: nnx.Rngs):
        self.widths = [int(w) for w in widths]  # LOOKALIKE: a list of ints
        self.names = ["in", "hidden", "out"]  # LOOKALIKE: a list of strings
        self.stages = [Stage.A, Stage.B]  # LOOKALIKE: a list of Enum members
        self.activations = [nnx.relu, nnx.gelu, jnp.tanh]  # LOOKALIKE: a list of functions
        self.factories = [functools.partial(nnx.Linear, 2, 2)]  # LOOKALIKE: partials of a Module class, not Modules
        self.classes = [nnx.Linear, nnx.Conv]  # LOOKALIKE: Module classes, not instances
        self.specs = [LayerSpec(w) for w in widths]  # LOOKALIKE: dataclasses that are not Modules
        self.shapes = [(3, 3), (5, 5)]  # LOOKALIKE: tuples of ints
        self.by_stage = {Stage.A: "a", Stage.B: "b"}  # LOOKALIKE: a dict of strings
        self.txs = [optax.adam(1e-3), optax.sgd(1e-2)]  # LOOKALIKE: optax transformations are static NamedTuples of functions
        self.dtypes = (jnp.float32, jnp.bfloat16)  # LOOKALIKE: a tuple of dtypes
        self.schedule = {"warmup": 100, "decay": 1000}  # LOOKALIKE: a dict of ints
        self.empty = []  # LOOKALIKE: an empty list never given Modules
        self.callbacks = []  # LOOKALIKE: appended functions below
        self.callbacks.append(print)
        self.head = make_layer(widths[-1], rngs=rngs)

    def __call__(self, x):
        for act in self.activations:
            x = act(x)
        return self.head(x)


class Registry:
    """A plain class (not a Module): lists of Modules here are its own business."""

    def __init__(self, *, rngs: nnx.Rngs):
        self.layers = [nnx.Linear(2, 2, rngs=rngs) for _ in range(2)]  # LOOKALIKE: not an nnx.Module attribute
        self.by_name = {"a": nnx.Linear(2, 2, rngs=rngs)}  # LOOKALIKE: plain class dict of Modules


@dataclasses.dataclass
class Config:
    layers: list = dataclasses.field(default_factory=list)  # LOOKALIKE: a dataclass field, not a Module


class Reader(nnx.Module):
    def __init__(self, specs: list[LayerSpec]):
        self.specs = list(specs)  # LOOKALIKE: a list of dataclasses with a `value` field

    def total(self):
        return sum(s.value for s in self.specs)  # LOOKALIKE: LayerSpec.value, not a Variable


def list_of_specs(specs: list[LayerSpec]):
    return [s.value for s in specs]  # LOOKALIKE: annotated list of dataclasses


def tuple_of_enums():
    pair = (Stage.A, Stage.B)
    return [p.value for p in pair]  # LOOKALIKE: a tuple of Enum members


def dict_of_enums():
    table = {"a": Stage.A}
    return table["a"].value  # LOOKALIKE: a dict whose values are Enums


def list_of_mixed():
    items = [nnx.Param(jnp.ones(3)), Stage.A]
    return items[1].value  # LOOKALIKE: a mixed list: index 1 is the Enum


def values_of_enum_dict():
    table = {"a": Stage.A}
    return [v.value for v in table.values()]  # LOOKALIKE: values are Enums


def items_of_param_dict():
    table = {Stage.A: nnx.Param(jnp.ones(3))}
    return [k.value for k, _ in table.items()]  # LOOKALIKE: items() position 0 is the Enum key


def enumerate_index():
    params = [nnx.Param(jnp.ones(3))]
    return [i.value for i, _ in enumerate(params)]  # LOOKALIKE: enumerate's first item is an int... `.value` on it is the user's bug, not a Variable


def zip_other_side(specs: list[LayerSpec]):
    params = [nnx.Param(jnp.ones(3))]
    return [s.value for p, s in zip(params, specs)]  # LOOKALIKE: zip's second position is a LayerSpec


def nnx_dict_of_static(mode: Stage):
    config = nnx.Dict({"mode": mode})
    return config["mode"].value  # LOOKALIKE: an nnx.Dict holding an Enum (static data in 0.12)


def nnx_list_param_annotation(blocks: nnx.List):
    return blocks[0].value.kernel  # LOOKALIKE: `value` is a submodule of the block (looked up below)


class Attention(nnx.Module):
    def __init__(self, *, rngs: nnx.Rngs):
        self.heads = nnx.List([nnx.MultiHeadAttention(2, 4, rngs=rngs, decode=False)])

    def value_projection(self):
        return first_value(self.heads)


def first_value(blocks: nnx.List):
    proj = blocks[0].value  # LOOKALIKE: MultiHeadAttention's `value` submodule (a LinearGeneral)
    return proj


def nnx_dict_of_enum_member():
    config = nnx.Dict({"mode": Stage.A, "other": Stage.B})
    return config["mode"].value  # LOOKALIKE: an nnx.Dict holding Enum members (static data in 0.12)


def nnx_list_of_enum_members():
    stages = nnx.List([Stage.A, Stage.B])
    return [stages[i].value for i in range(2)]  # LOOKALIKE: an nnx.List of Enum members
