"""Helpers whose summary is not "returns its argument" although they look like it."""

import dataclasses
import enum
import functools

import jax.numpy as jnp
from flax import nnx


class Phase(enum.Enum):
    WARMUP = 1
    DECAY = 2


@dataclasses.dataclass
class Boxed:
    value: float


def second(x, spec):
    return spec


def pick(x, y, flag):
    return x if flag else y


def maybe_unwrap(x, unwrap):
    if unwrap:
        return jnp.asarray(x)
    return x


def converted(x):
    x = Boxed(float(jnp.mean(x)))
    return x


def first_of(*args):
    return args[0]


def by_name(**kwargs):
    return kwargs["v"]


def gen(x):
    yield x


def cached_identity(x):
    return x


cached_identity = functools.lru_cache(cached_identity)  # the name is rebound


def log_calls(fn):
    def wrapper(*args):
        return Boxed(fn(*args))

    return wrapper


@log_calls
def decorated_identity(x):
    return x


def identity(x):
    return x


def returns_default(x, fallback=Phase.WARMUP):
    if x is None:
        return fallback
    return x


def helper_second_argument():
    w = second(nnx.Param(jnp.ones(3)), Phase.DECAY)
    return w.value  # LOOKALIKE: helper returns its second argument, an Enum


def helper_picks_either(flag):
    w = pick(nnx.Param(jnp.ones(3)), Phase.DECAY, flag)
    return w.value  # LOOKALIKE: helper returns x or y: a Param or an Enum


def helper_unwraps(flag):
    w = maybe_unwrap(nnx.Param(jnp.ones(3)), flag)
    return w.value  # LOOKALIKE: helper returns the Variable or its array


def helper_rebinds_parameter():
    w = converted(nnx.Param(jnp.ones(())))
    return w.value  # LOOKALIKE: helper returns a Boxed dataclass, not its argument


def helper_star_args():
    w = first_of(Phase.WARMUP, nnx.Param(jnp.ones(3)))
    return w.value  # LOOKALIKE: returns args[0], an Enum


def helper_kwargs():
    w = by_name(v=Phase.DECAY, other=nnx.Param(jnp.ones(3)))
    return w.value  # LOOKALIKE: returns kwargs["v"], an Enum


def helper_generator():
    for w in gen(Phase.DECAY):
        return w.value  # LOOKALIKE: generator of an Enum


def helper_rebound_name():
    w = cached_identity(Phase.WARMUP)
    return w.value  # LOOKALIKE: identity called with an Enum (and rebound by lru_cache)


def helper_unknown_decorator():
    w = decorated_identity(nnx.Param(jnp.ones(3)))
    return w.value  # LOOKALIKE: an unknown decorator wraps the result in Boxed


def identity_of_enum():
    w = identity(Phase.DECAY)
    return w.value  # LOOKALIKE: identity of an Enum is an Enum


def identity_of_boxed():
    w = identity(Boxed(1.0))
    return w.value  # LOOKALIKE: identity of a dataclass with a `value` field


def default_used():
    w = returns_default(None)
    return w.value  # LOOKALIKE: the default (an Enum) is returned


def identity_of_variable_then_replaced():
    w = identity(nnx.Param(jnp.ones(3)))
    w = Boxed(2.0)
    return w.value  # LOOKALIKE: rebound to a dataclass before the read


def lambda_helper():
    unwrap = lambda v: Boxed(v)  # noqa: E731
    w = unwrap(nnx.Param(jnp.ones(3)))
    return w.value  # LOOKALIKE: the lambda wraps the Param in a dataclass


def nested_helper_returns_other():
    def wrap(v):
        return Boxed(1.0)

    w = wrap(nnx.Param(jnp.ones(3)))
    return w.value  # LOOKALIKE: nested helper returns a dataclass


def partial_helper():
    take_spec = functools.partial(second, nnx.Param(jnp.ones(3)))
    w = take_spec(Phase.DECAY)
    return w.value  # LOOKALIKE: partial of `second`: returns the Enum
