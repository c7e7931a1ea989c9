"""Lists and dicts that start with Variables and are given other things later (append,
insert, extend, item assignment, setdefault, update): an item is not known to be a
Variable any more."""

import enum

import jax.numpy as jnp
from flax import nnx


class Level(enum.Enum):
    LOW = 0


class Stack(nnx.Module):
    def __init__(self):
        self.items = nnx.List([nnx.Param(jnp.ones(3))])
        self.items.append(Level.LOW)

    def last(self):
        return self.items[-1].value  # LOOKALIKE: the last item is the Enum appended in __init__


def appended():
    items = [nnx.Param(jnp.ones(3))]
    items.append(Level.LOW)
    return [item.value for item in items]  # LOOKALIKE: the second item is an Enum


def inserted():
    items = [nnx.Param(jnp.ones(3))]
    items.insert(0, Level.LOW)
    return items[0].value  # LOOKALIKE: insert() put an Enum first


def extended(more: list):
    items = [nnx.Param(jnp.ones(3))]
    items.extend(more)
    return items[-1].value  # LOOKALIKE: extend() added items of unknown kind


def assigned():
    items = [nnx.Param(jnp.ones(3))]
    items[0] = Level.LOW
    return items[0].value  # LOOKALIKE: the item was replaced by an Enum


def keyed():
    table = {"w": nnx.Param(jnp.ones(3))}
    table["mode"] = Level.LOW
    return [v.value for v in table.values()]  # LOOKALIKE: table["mode"] is an Enum


def defaulted():
    table = {"w": nnx.Param(jnp.ones(3))}
    table.setdefault("mode", Level.LOW)
    return table["mode"].value  # LOOKALIKE: setdefault() added an Enum


def merged(extra: dict):
    table = {"w": nnx.Param(jnp.ones(3))}
    table.update(extra)
    return [v.value for v in table.values()]  # LOOKALIKE: update() added values of unknown kind
