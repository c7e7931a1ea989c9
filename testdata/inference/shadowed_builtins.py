# `isinstance` and `type` narrow only where they are the builtins (flow.py,
# Resolver.shadowed_builtins): a module, function, parameter or comprehension may bind the
# name to something else, a check that proves nothing.
from flax import nnx


def builtin_check(v):
    if isinstance(v, nnx.Param):
        v  # revealed: nnx.Param
    if type(v) is nnx.Param:
        v  # revealed: nnx.Param


def parameter_named_type(v, type=None):
    if type(v) is nnx.Param:
        v  # revealed: unknown
    if isinstance(v, nnx.Param):
        v  # revealed: nnx.Param


def local_isinstance(v):
    isinstance = lambda x, cls: True
    v if isinstance(v, nnx.Param) else None  # revealed: unknown


def comprehension_binds_type(v, types):
    [type for type in types]  # binds `type` in the comprehension only
    if type(v) is nnx.Param:
        v  # revealed: nnx.Param


def outer(v):
    def isinstance(x, cls):
        return True

    def inner():
        if isinstance(v, nnx.Param):
            v  # revealed: unknown
    return inner


def filter_binds_type(v, types):
    [v for type in types if type(v) is nnx.Param]  # revealed: unknown
    [v for t in types if type(v) is nnx.Param]  # revealed: list[nnx.Param]
