"""Plain Python objects whose `value` is an ordinary attribute or field."""

import collections
import ctypes
import enum
import multiprocessing
import threading
import types
import typing

import attr
import ipywidgets as widgets
import jax.numpy as jnp
import pydantic
from flax import nnx
from google.protobuf import wrappers_pb2


class Perm(enum.Flag):
    R = 4
    W = 2


class Level(enum.StrEnum):
    LOW = "low"


class Result(typing.NamedTuple):
    value: float
    weight: float


class Setting(pydantic.BaseModel):
    value: float = 0.0


@attr.s
class Attrs:
    value = attr.ib(default=0)


class Scaled(nnx.Module):
    def __init__(self):
        self.scale = nnx.Param(jnp.ones(()))
        self.counter = multiprocessing.Value("i", 0)  # a shared counter on a Module
        self.result = Result(1.0, 2.0)

    def bump(self):
        with self.counter.get_lock():
            self.counter.value += 1  # LOOKALIKE: multiprocessing.Value attribute of a Module
        return self.result.value  # LOOKALIKE: a NamedTuple field of a Module


def flag_combination():
    return (Perm.R | Perm.W).value  # LOOKALIKE: Flag combination


def str_enum():
    return Level.LOW.value  # LOOKALIKE: StrEnum member


def enum_by_name(name):
    return Level[name].value  # LOOKALIKE: Enum lookup by name


def enum_by_getattr(name):
    return getattr(Level, name).value  # LOOKALIKE: Enum via getattr


def named_tuple():
    r = Result(1.0, 0.5)
    return r.value  # LOOKALIKE: NamedTuple field


def named_tuple_from_list(results: list[Result]):
    return [r.value for r in results]  # LOOKALIKE: annotated list of NamedTuples


def pydantic_model(s: Setting):
    s.value = 2.0  # LOOKALIKE: pydantic field write
    return s.value  # LOOKALIKE: pydantic field read


def attrs_class():
    a = Attrs()
    a.value += 1  # LOOKALIKE: attrs field in-place update
    return a.value


def simple_namespace():
    ns = types.SimpleNamespace(value=3)
    ns.value = 4  # LOOKALIKE: SimpleNamespace attribute write
    return ns.value


def thread_local():
    local = threading.local()
    local.value = 1  # LOOKALIKE: threading.local attribute
    return local.value


def manager_value():
    with multiprocessing.Manager() as manager:
        shared = manager.Value("i", 0)
        shared.value += 1  # LOOKALIKE: Manager().Value proxy
        return shared.value


def ctypes_in_dll(lib):
    return ctypes.c_float.in_dll(lib, "scale").value  # LOOKALIKE: ctypes value from a shared library


def ctypes_array_element():
    arr = (ctypes.c_int * 3)()
    ptr = ctypes.pointer(ctypes.c_int(5))
    return ptr.contents.value, arr  # LOOKALIKE: ctypes pointer contents


def protobuf_wrapper():
    wrapped = wrappers_pb2.FloatValue(value=1.0)
    return wrapped.value  # LOOKALIKE: protobuf wrapper message field


def tensorboard_events(events):
    losses = []
    for event in events:
        for v in event.summary.value:  # LOOKALIKE: TensorBoard Summary's repeated `value` field
            if v.tag == "loss":
                losses.append(v.simple_value)
    return losses


def widget_slider():
    slider = widgets.FloatSlider(value=1e-3, min=1e-5, max=1e-1)
    return slider.value  # LOOKALIKE: ipywidgets slider in a training notebook


def counter_most_common(words):
    counts = collections.Counter(words)
    best = counts.most_common(1)[0]
    return best  # no `.value` here: control case


def ordered_dict_value(d: collections.OrderedDict):
    return d.popitem()[1].value  # LOOKALIKE: unknown item of an OrderedDict


def union_annotation(v: typing.Union[nnx.Param, Result]):
    return v.value  # LOOKALIKE: a Param or a NamedTuple


def pipe_union_annotation(v: nnx.Param | Setting):
    return v.value  # LOOKALIKE: a Param or a pydantic model


def any_annotation(v: typing.Any):
    return v.value  # LOOKALIKE: Any says nothing


def annotated_then_rebound(make):
    v: nnx.Param = make()
    v = Result(0.0, 1.0)
    return v.value  # LOOKALIKE: rebound to a NamedTuple after the annotated binding
