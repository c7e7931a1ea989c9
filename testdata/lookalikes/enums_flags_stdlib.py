"""Objects with a real `.value` that are not Variables, in files that do use flax.nnx."""

import argparse
import ctypes
import enum
import multiprocessing as mp

import jax.numpy as jnp
from absl import flags
from flax import nnx


class Mode(enum.Enum):
    TRAIN = "train"
    EVAL = "eval"


class Act(enum.IntEnum):
    RELU = 0
    GELU = 1


_LR = flags.DEFINE_float("lr", 1e-3, "learning rate")
_MODE = flags.DEFINE_enum_class("mode", Mode.TRAIN, Mode, "run mode")


class Block(nnx.Module):
    def __init__(self, din: int, dout: int, *, rngs: nnx.Rngs, mode: Mode = Mode.TRAIN):
        self.linear = nnx.Linear(din, dout, rngs=rngs)
        self.mode = mode  # LOOKALIKE: an Enum attribute of a Module; `.value` below is Enum's
        self.count = nnx.Variable(jnp.zeros((), jnp.int32))

    def __call__(self, x):
        if self.mode.value == "train":  # LOOKALIKE: Enum member `.value` through a Module attribute
            x = x * 2
        return self.linear(x)


def enum_direct():
    return Mode.TRAIN.value  # LOOKALIKE: Enum member read straight off the class


def enum_local(name):
    mode = Mode(name)
    return mode.value  # LOOKALIKE: Enum instance made by calling the Enum class


def int_enum_loop():
    return [a.value for a in Act]  # LOOKALIKE: iterating an IntEnum class


def absl_flag_holders():
    return _LR.value, _MODE.value  # LOOKALIKE: absl FlagHolder `.value`


def absl_flags_object():
    return flags.FLAGS["lr"].value  # LOOKALIKE: absl Flag object from FLAGS[...]


def argparse_enum(argv):
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", type=Mode, default=Mode.TRAIN)
    args = parser.parse_args(argv)
    return args.mode.value  # LOOKALIKE: argparse Namespace attribute holding an Enum


def ctypes_out_parameter(lib):
    size = ctypes.c_int(0)
    lib.get_size(ctypes.byref(size))
    return size.value  # LOOKALIKE: ctypes simple type `.value`


def multiprocessing_counter():
    counter = mp.Value("i", 0)
    with counter.get_lock():
        counter.value += 1  # LOOKALIKE: multiprocessing.Value in-place update
    return counter.value  # LOOKALIKE: multiprocessing.Value read


def shared_counter_worker(shared):
    # a multiprocessing Manager namespace whose `count` is an mp.Value (callers elsewhere)
    with shared.count.get_lock():
        shared.count.value += 1  # LOOKALIKE: `count` is also a Variable name in this file, but `shared` is unknown


def raw_array_value():
    buf = mp.RawValue(ctypes.c_double, 0.0)
    buf.value = 3.0  # LOOKALIKE: multiprocessing.RawValue write
    return buf.value


def enum_in_block(block: Block):
    return block.mode.value  # LOOKALIKE: annotated Module parameter, attribute is an Enum


class Settings:
    def __init__(self, mode: Mode):
        self.mode = mode


def settings_value(settings: Settings):
    return settings.mode.value  # LOOKALIKE: plain class attribute annotated with an Enum type


def enum_dict_keys():
    scales = {Mode.TRAIN: nnx.Param(jnp.ones(3)), Mode.EVAL: nnx.Param(jnp.zeros(3))}
    names = []
    for mode in scales:  # iterating a dict gives its keys: Enum members here
        names.append(mode.value)  # LOOKALIKE: dict key, not the Param values
    return names


def enum_dict_sorted_keys():
    scales = {Mode.TRAIN: nnx.Param(jnp.ones(3))}
    return [m.value for m in sorted(scales, key=str)]  # LOOKALIKE: sorted(dict) iterates keys


def enum_dict_list_keys():
    scales = {Act.RELU: nnx.BatchStat(jnp.ones(3))}
    first = list(scales)[0]
    return first.value  # LOOKALIKE: list(dict) is the keys
