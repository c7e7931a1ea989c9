# `getattr(x, name)` with a name among known strings is one of those attributes of x; a
# missing attribute raises the same before and after a rewrite.
import jax.numpy as jnp
from flax import nnx


class Gates(nnx.Module):
    def __init__(self, rngs: nnx.Rngs):
        self.ii = nnx.Linear(2, 2, rngs=rngs)
        self.if_ = nnx.Linear(2, 2, rngs=rngs)
        self.io = nnx.Linear(2, 2, rngs=rngs)
        self.hi = nnx.Linear(2, 2, rngs=rngs)
        self.scale = nnx.Param(jnp.ones(2))
        self.count = 0


def constant(m: Gates):
    getattr(m, "scale")  # revealed: nnx.Param[array]
    getattr(m, "scale", None)  # revealed: nnx.Param[array]
    getattr(m, "count")  # revealed: unknown


def loops(m: Gates, names, other: str):
    for name in ("ii", "hi"):
        getattr(m, name)  # revealed: nnx.Linear
        getattr(m, name).kernel  # revealed: nnx.Param[array]
    for gate in ["i", "f", "o"]:
        if gate == "f":
            getattr(m, "if_")  # revealed: nnx.Linear
        else:
            getattr(m, f"i{gate}")  # revealed: nnx.Linear
        getattr(m, f"i{gate}")  # revealed: unknown
    for gate in ["i", "o"]:
        getattr(m, f"i{gate}")  # revealed: nnx.Linear
        getattr(m, f"i{gate!r}")  # revealed: unknown
    for name in ("ii", "count"):
        getattr(m, name)  # revealed: unknown
    for name in ("ii", other):
        getattr(m, name)  # revealed: unknown
    for name in names:
        getattr(m, name)  # revealed: unknown
    getattr(m, other)  # revealed: unknown


def rebound(m: Gates, flag):
    name = "ii"
    if flag:
        name = "hi"
    getattr(m, name)  # revealed: nnx.Linear
    if flag:
        name = "scale"
    getattr(m, name)  # revealed: unknown
    for gate in ["o", "f"]:
        if gate == "o":
            if flag:
                gate = "f"  # rebound inside the `if`: the test says nothing of it
            getattr(m, f"i{gate}")  # revealed: unknown
