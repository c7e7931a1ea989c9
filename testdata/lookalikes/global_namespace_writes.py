"""Module-level names rebound through the module's namespace by names known only at run
time: globals().update(...), globals()[name] = ..., exec(...) of configuration code. A
function reading such a name may see anything."""

import enum
import os

import jax.numpy as jnp
from flax import nnx


class Level(enum.Enum):
    LOW = 0


current = nnx.Param(jnp.zeros(3))


def configure(overrides: dict):
    globals().update(overrides)


def read_current():
    return current.value  # LOOKALIKE: configure() may rebind current to anything through globals().update


scale = nnx.Param(jnp.ones(3))


def set_global(name, value):
    globals()[name] = value


def read_scale():
    return scale.value  # LOOKALIKE: set_global() rebinds module names by a run-time name


temperature = nnx.Param(jnp.ones(()))
if os.environ.get("OVERRIDES"):
    with open(os.environ["OVERRIDES"]) as source:
        exec(source.read())  # configuration code: may assign any module name


def read_temperature():
    return temperature.value  # LOOKALIKE: the module-level exec() may have rebound temperature to anything
