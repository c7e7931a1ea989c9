"""Look-alikes for the rules beyond `.value`: introspection, keyword-only rngs, optimizer,
State methods, sharding metadata, renamed API, Variable metadata."""

import dataclasses
import enum

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pandas as pd
from flax import nnx


class Tree:
    """A project tree structure with its own iteration methods."""

    def __init__(self):
        self.children = []

    def iter_modules(self):
        yield self

    def iter_children(self):
        return iter(self.children)


def own_tree_walk(t: Tree):
    return list(t.iter_modules()), list(t.iter_children())  # LOOKALIKE: Tree's own methods


def unknown_walk(obj):
    return list(obj.iter_modules())  # LOOKALIKE: unknown receiver (a torch-like model?)


class Sampler:
    """A plain class (not a Module) taking numpy generators called rngs."""

    def __init__(self, n, rngs):  # LOOKALIKE: not an nnx Module: its rngs need not be keyword-only
        self.n = n
        self.rngs = rngs

    def draw(self):
        return [r.normal() for r in self.rngs]


def make_sampler():
    return Sampler(3, [np.random.default_rng(i) for i in range(3)])  # LOOKALIKE: positional rngs to a plain class


@dataclasses.dataclass
class Seeds:
    rngs: list  # LOOKALIKE: a dataclass field named rngs


def seeds():
    return Seeds([1, 2])


def fork_of_numpy(rng: np.random.Generator):
    return rng.spawn(4)


class Splitter:
    def fork(self, split=None):
        return [self] * (split or 1)


def fork_of_own_class(rngs: Splitter):
    return rngs.fork(split=4)  # LOOKALIKE: the project's own fork(split=...)


def fork_of_unknown(rngs):
    return rngs.fork(split=2)  # LOOKALIKE: an unannotated parameter of a public function


def optax_update(grads, params):
    tx = optax.adam(1e-3)
    state = tx.init(params)
    updates, state = tx.update(grads, state)  # LOOKALIKE: optax update(grads, state)
    return optax.apply_updates(params, updates), state


def dict_update(grads: dict):
    merged = {}
    merged.update(grads)  # LOOKALIKE: dict.update
    return merged


class TrainState:
    def __init__(self, model, tx):
        self.model = model
        self.tx = tx

    def update(self, grads):
        return grads


def own_optimizer(model, grads):
    optimizer = TrainState(model, optax.sgd(0.1))
    optimizer.update(grads)  # LOOKALIKE: the project's own update(grads)
    return optimizer.model  # LOOKALIKE: the project's own `model` attribute


def string_state(text: str):
    state = text
    return state.split(","), state.replace("a", "b")  # LOOKALIKE: str.split on a variable named state


def pandas_state(df: pd.DataFrame):
    state = df
    return state.filter(items=["a"]), state.map(str)  # LOOKALIKE: DataFrame.filter / map


def env_state(env):
    state = env.reset()
    return state.flat_state()  # LOOKALIKE: an environment's state object


def builtin_filter(xs):
    state = filter(None, xs)
    return list(state)


def device_put_sharding(x, sharding):
    return jax.device_put(x, sharding)


def shape_dtype_struct(sharding):
    return jax.ShapeDtypeStruct((3,), jnp.float32, sharding=sharding)  # LOOKALIKE: jax's own sharding= keyword


def make_array(shape, sharding, cb):
    return jax.make_array_from_callback(shape, sharding, cb)


@dataclasses.dataclass
class ParamSpec:
    shape: tuple
    sharding: tuple = ()


def own_spec():
    return ParamSpec((3,), sharding=("data",))  # LOOKALIKE: a dataclass with a sharding field


class pure:  # noqa: N801
    """A project helper named like a deprecated nnx function."""

    def __init__(self, x):
        self.x = x


def own_pure(x):
    return pure(x)  # LOOKALIKE: the project's own `pure`


def is_data_type(x):
    return isinstance(x, (int, float))


def own_is_data_type(x):
    return is_data_type(x)  # LOOKALIKE: the project's own is_data_type


class VariableState:
    """A project class named like nnx.VariableState."""

    def __init__(self, value):
        self.value = value


def own_variable_state():
    return VariableState(3).value  # LOOKALIKE: the project's own VariableState


@dataclasses.dataclass
class Tagged:
    value: float
    sharding: tuple = ()


def metadata_on_plain(t: Tagged):
    t.sharding = ("model",)  # LOOKALIKE: attribute store on a dataclass, not Variable metadata
    t.value = 3.0  # LOOKALIKE: dataclass field write
    return t


class Level(enum.Enum):
    LOW = 0


def metadata_on_enum_member():
    Level.LOW.label = "low"  # LOOKALIKE: an attribute store on an Enum member


def sow_on_plain(recorder):
    recorder.sow("x", 1)  # LOOKALIKE: a method named sow on an unknown object


def rng_stream_lookalike(rngs: Splitter):
    return rngs.params.key.value  # LOOKALIKE: `rngs` is the project's Splitter, not nnx.Rngs


def numpy_rngs_param(self_like, rngs):
    return rngs.default.count.value  # LOOKALIKE: a public function's `rngs`, type unknown


class Simulator:
    """A plain class whose `rngs` is a namespace of multiprocessing counters."""

    def __init__(self, rngs):
        self.start = rngs.noise.count.value  # LOOKALIKE: not an nnx class: `rngs` is whatever the caller passes
        self.seed = rngs.params.key.value  # LOOKALIKE: same, a ctypes value in this project
