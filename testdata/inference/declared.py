# What the code declares: properties, typing.cast, module-level aliases, annotations.
import dataclasses
import typing

from flax import nnx


class M(nnx.Module):
    def __init__(self):
        self.w = nnx.Param(1)

    @property
    def weight(self):
        return self.w

    def method(self):
        return nnx.Param(1)


P = nnx.Param
Q = nnx.Param
Q = dict


def reads(m: M, x, k, v: nnx.BatchStat):
    m.weight  # revealed: nnx.Param
    m.method  # revealed: unknown
    typing.cast(nnx.Param, x)  # revealed: nnx.Param
    P(k)  # revealed: nnx.Param
    Q(k)  # revealed: unknown
    v  # revealed: nnx.BatchStat
    m  # revealed: declared.M


class Step(typing.NamedTuple):
    count: nnx.Variable


@dataclasses.dataclass
class Holder(nnx.Pytree):
    step: nnx.Data[Step]
    kept: typing.Annotated[nnx.Param, "meta"]
    listed: nnx.Data[list[nnx.Param]]
    other: nnx.Data[int]


def annotated_fields(h: Holder):
    h.step.count  # revealed: nnx.Variable
    h.kept  # revealed: nnx.Param
    h.listed  # revealed: list[nnx.Param]
    h.other  # revealed: unknown


outer: nnx.State


def declared_names(f, m, flag):
    grads: nnx.State
    grads, aux = f(m)
    grads  # revealed: State
    aux  # revealed: unknown
    w: nnx.Param
    w = f(m) if flag else nnx.Param(1)
    w  # revealed: nnx.Param
    v: nnx.Param
    v = nnx.BatchStat(1)
    v  # revealed: nnx.BatchStat
    outer = f(m)
    outer  # revealed: unknown
