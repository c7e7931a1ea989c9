# Python's builtins and container methods on containers of known elements.
from flax import nnx


def containers(d: dict[str, nnx.Param], xs: list[nnx.Param], other, ys):
    d.get("w")  # revealed: nnx.Param
    d.get("w", other)  # revealed: unknown
    sorted(xs, key=id)[0]  # revealed: nnx.Param
    list(ys)[0]  # revealed: unknown
    xs[1:]  # revealed: list[nnx.Param]
    d  # revealed: dict[nnx.Param]
    *rest, last = xs
    last  # revealed: nnx.Param
    first, *others = xs
    first  # revealed: nnx.Param


def added_items(k):
    params = [nnx.Param(k)]
    params.append(nnx.Param(k))
    params  # revealed: list[nnx.Param]
    empty = []
    empty.append(nnx.Param(k))
    empty  # revealed: unknown
    mixed = [nnx.Param(k)]
    mixed.append(3)
    mixed  # revealed: unknown
