"""A receiver shown to be a flax Module by an isinstance check, in a statement or inside
the expression, against one class, a tuple or a `|` union of flax Module classes."""

from flax import nnx


class Walker(nnx.Module):
    def iter_modules(self):  # its own walk: not flax's
        return iter(())


def in_statement(m):
    if isinstance(m, nnx.Linear | nnx.Conv):
        return list(nnx.iter_modules(m))
    return []


def in_ifexp(m):
    return list(nnx.iter_children(m)) if isinstance(m, (nnx.Linear, nnx.Conv)) else []


def union_in_ifexp(m):
    return list(nnx.iter_children(m)) if isinstance(m, nnx.Linear | nnx.Conv) else []


def union_in_and(m):
    return isinstance(m, nnx.Linear | nnx.Conv) and list(nnx.iter_modules(m))


def union_with_own_walk(m):
    return list(m.iter_modules()) if isinstance(m, nnx.Linear | Walker) else []  # Walker's is its own


def union_in_the_else(m):
    return [] if isinstance(m, nnx.Linear | nnx.Conv) else list(m.iter_modules())  # neither here
