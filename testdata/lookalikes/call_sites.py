"""Parameters typed from their callers: each function here has a caller (or a use) that
does not pass a Variable, or escapes so that its callers cannot all be seen."""

import enum
import functools

import jax
import jax.numpy as jnp
from flax import nnx


class Level(enum.Enum):
    LOW = 0
    HIGH = 1


REGISTRY = {}


def register(fn):
    REGISTRY[fn.__name__] = fn
    return fn


def mixed_callers():
    def read(v):
        return v.value  # LOOKALIKE: one caller passes a Param, the other an Enum

    return read(nnx.Param(jnp.ones(3))), read(Level.HIGH)


def mixed_callers_keyword():
    def read(v, scale=1):
        return v.value * scale  # LOOKALIKE: called by keyword with an Enum

    return read(nnx.Param(jnp.ones(3))), read(scale=2, v=Level.LOW)


def escapes_by_return():
    def read(v):
        return v.value  # LOOKALIKE: returned to unknown callers

    read(nnx.Param(jnp.ones(3)))
    return read


def escapes_into_map(levels):
    def read(v):
        return v.value  # LOOKALIKE: also passed to map() over Enums

    read(nnx.Param(jnp.ones(3)))
    return list(map(read, levels))


def escapes_into_dict():
    def read(v):
        return v.value  # LOOKALIKE: stored in a dict of callbacks

    handlers = {"read": read}
    handlers["read"](Level.LOW)
    return read(nnx.BatchStat(jnp.zeros(3)))


def escapes_into_partial():
    def read(v, scale):
        return v.value * scale  # LOOKALIKE: partial binds an Enum

    low = functools.partial(read, Level.LOW)
    return low(2), read(nnx.Param(jnp.ones(3)), 1)


def escapes_by_unknown_decorator():
    @functools.lru_cache(maxsize=None)
    def read(v):
        return v.value  # LOOKALIKE: decorated with lru_cache, called with an Enum too

    return read(Level.LOW)


def escapes_by_registry():
    @register
    def read(v):
        return v.value  # LOOKALIKE: registered as a callback: callers unseen

    return read(nnx.Param(jnp.ones(3)))


def default_argument_enum():
    def read(v=Level.HIGH):
        return v.value  # LOOKALIKE: the one call passes nothing: the default is an Enum

    return read()


def star_args_caller(args):
    def read(v):
        return v.value  # LOOKALIKE: called with *args: the argument is unknown

    read(nnx.Param(jnp.ones(3)))
    return read(*args)


def kwargs_caller(kwargs):
    def read(v):
        return v.value  # LOOKALIKE: called with **kwargs

    read(nnx.Param(jnp.ones(3)))
    return read(**kwargs)


def shadowed_nested():
    def read(v):
        return v.value  # LOOKALIKE: the name `read` is rebound; the later def gets the Enum

    read(nnx.Param(jnp.ones(3)))

    def read(v):  # noqa: F811
        return v

    return read(Level.LOW)


def caller_passes_unknown(thing):
    def read(v):
        return v.value  # LOOKALIKE: the only caller passes an unknown parameter

    return read(thing)


def recursive_passes_enum(depth):
    def walk(v, n):
        if n == 0:
            return v.value  # LOOKALIKE: the recursive call passes an Enum
        return walk(Level.LOW, n - 1)

    return walk(nnx.Param(jnp.ones(3)), depth)


def grad_with_argnums(loss, model):
    def read(v, w):
        return v.value  # LOOKALIKE: the caller passes a float as `v`

    return nnx.jit(read)(1.5, model)


def threading_target():
    import threading

    def work(v):
        print(v.value)  # LOOKALIKE: run by a Thread with an Enum

    t = threading.Thread(target=work, args=(Level.LOW,))
    t.start()
    work(nnx.Param(jnp.ones(3)))


def method_reference():
    class Holder:
        def read(self, v):
            return v.value  # LOOKALIKE: a method; callers pass an Enum

    h = Holder()
    h.read(nnx.Param(jnp.ones(3)))
    return h.read(Level.HIGH)


def comprehension_caller(levels):
    def read(v):
        return v.value  # LOOKALIKE: called on every Enum member in a comprehension

    read(nnx.Param(jnp.ones(3)))
    return [read(level) for level in Level]


def vmap_call_of_non_variable():
    def read(v):
        return v.value  # LOOKALIKE: nnx.vmap'd over a dataclass-like object with `value`

    class Box:
        value = jnp.ones(3)

    return nnx.vmap(read)(Box())
