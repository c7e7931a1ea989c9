"""isinstance checks inside an expression that show nothing at the read: left alone."""

import dataclasses

from flax import nnx


@dataclasses.dataclass
class Reading:
    value: int = 0


def union_with_a_plain_class(v):
    return v.value if isinstance(v, nnx.Param | Reading) else v  # a Reading has its own `value`


def union_in_the_else(v):
    return None if isinstance(v, nnx.Param | nnx.BatchStat) else v.value  # v is neither here


def or_after_a_positive_check(v, flag):
    return isinstance(v, nnx.Param) or v.value  # v is not a Param here


def union_rebound_by_walrus(v, registry):
    return v.value if isinstance(v, nnx.Param | nnx.BatchStat) and (v := registry[v]) else None


def checked_in_a_generator(v, rows):
    def gen():
        if isinstance(v, nnx.Param):
            yield 0
            yield v.value  # the enclosing scope may rebind v while gen is paused
    return gen
