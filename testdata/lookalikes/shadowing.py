"""Names that shadow flax's: a parameter or local called nnx, Param rebound locally,
isinstance against tuples with non-Variable classes."""

import dataclasses
import types

import jax.numpy as jnp
from flax import nnx
from flax.nnx import Param


@dataclasses.dataclass
class Box:
    value: float = 0.0


fake_nnx = types.SimpleNamespace(Param=Box, Variable=Box)
VARIABLE_OR_BOX = (nnx.Param, Box)


def nnx_as_parameter(nnx):
    w = nnx.Param(3.0)
    return w.value  # LOOKALIKE: `nnx` is this function's parameter


def nnx_as_local():
    nnx = fake_nnx
    w = nnx.Param(3.0)
    return w.value  # LOOKALIKE: `nnx` is a local namespace of dataclasses


def nnx_as_loop_variable():
    for nnx in (fake_nnx,):
        w = nnx.Param(1.0)
        print(w.value)  # LOOKALIKE: loop variable named nnx


def nnx_in_comprehension():
    return [nnx.Param(1.0).value for nnx in (fake_nnx,)]  # LOOKALIKE: comprehension variable named nnx


def param_rebound_locally():
    Param = Box  # noqa: N806
    w = Param(2.0)
    return w.value  # LOOKALIKE: the local Param is the Box dataclass


def param_as_argument(Param):  # noqa: N803
    return Param(1.0).value  # LOOKALIKE: Param is whatever the caller passes


def isinstance_tuple_with_box(v):
    if isinstance(v, (nnx.Param, Box)):
        return v.value  # LOOKALIKE: a Param or a Box


def isinstance_union_type(v):
    if isinstance(v, nnx.Param | Box):
        return v.value  # LOOKALIKE: PEP 604 union with Box


def isinstance_constant_tuple(v):
    if isinstance(v, VARIABLE_OR_BOX):
        return v.value  # LOOKALIKE: a module constant tuple that includes Box


def with_nnx_alias_shadow(ctx):
    with ctx as nnx:
        return nnx.Param(1.0).value  # LOOKALIKE: `with ... as nnx`


def except_shadow():
    try:
        raise ValueError
    except ValueError as nnx:  # noqa: F841
        return Box().value


def class_attribute_named_param():
    class Layer:
        Param = Box

        def make(self):
            return self.Param(1.0).value  # LOOKALIKE: self.Param is the Box class

    return Layer().make()


def lambda_parameter_named_nnx():
    make = lambda nnx: nnx.Param(1.0).value  # noqa: E731  # LOOKALIKE: lambda parameter called nnx
    return make(fake_nnx)


def nested_function_shadow():
    def inner(nnx=fake_nnx):
        return nnx.Param(1.0).value  # LOOKALIKE: default argument is the fake namespace

    return inner()

