"""Names whose binding at the read is not (only) a Variable: loops, try, with, global,
nonlocal, comprehension scopes, walrus, del."""

import contextlib
import enum

import jax.numpy as jnp
from flax import nnx


class Tier(enum.Enum):
    FREE = 0
    PRO = 1


current = nnx.Param(jnp.zeros(3))


def reset_current():
    global current
    current = Tier.FREE


def read_current():
    reset_current()
    return current.value  # LOOKALIKE: a `global` statement elsewhere rebinds it to an Enum


def nonlocal_swap():
    w = nnx.Param(jnp.ones(3))

    def swap():
        nonlocal w
        w = Tier.PRO

    swap()
    return w.value  # LOOKALIKE: the nested function rebinds w to an Enum


def loop_rebinds_at_end(items):
    w = nnx.Param(jnp.ones(3))
    for item in items:
        print(w.value)  # LOOKALIKE: from the second iteration w is an Enum
        w = Tier.FREE


def while_rebinds(n):
    w = nnx.Param(jnp.ones(3))
    while n > 0:
        n -= 1
        w = Tier.PRO
    return w.value  # LOOKALIKE: the loop may have run


def try_may_rebind(load):
    w = nnx.Param(jnp.ones(3))
    try:
        w = load()
    except OSError:
        pass
    return w.value  # LOOKALIKE: w is load()'s result on success


def try_except_fallback(load):
    try:
        w = load()
    except OSError:
        w = nnx.Param(jnp.ones(3))
    return w.value  # LOOKALIKE: unknown on the success path


def finally_rebinds(load):
    w = nnx.Param(jnp.ones(3))
    try:
        load()
    finally:
        w = Tier.FREE
    return w.value  # LOOKALIKE: finally always rebinds to an Enum


def with_rebinds():
    w = nnx.Param(jnp.ones(3))
    with contextlib.nullcontext(Tier.PRO) as w:
        return w.value  # LOOKALIKE: `as w` rebinds to the context value (an Enum)


def walrus_in_comprehension(xs):
    w = nnx.Param(jnp.ones(3))
    _ = [(w := Tier.FREE) for _ in xs]
    return w.value  # LOOKALIKE: the walrus binds w in this function (to an Enum)


def walrus_in_condition(load):
    w = nnx.Param(jnp.ones(3))
    if (w := load()) is None:
        return None
    return w.value  # LOOKALIKE: rebound by the walrus


def comprehension_variable_does_not_leak(levels):
    t = [w for w in levels]
    w = Tier.FREE
    return t, w.value  # LOOKALIKE: w is the Enum; the comprehension's w is its own


def comprehension_own_scope():
    w = Tier.PRO
    return [w.value for w in [Tier.FREE]]  # LOOKALIKE: comprehension's w is an Enum


def for_else(items):
    w = nnx.Param(jnp.ones(3))
    for item in items:
        if item:
            break
    else:
        w = Tier.FREE
    return w.value  # LOOKALIKE: the else branch runs when no break happened


def loop_continue(items):
    w = nnx.Param(jnp.ones(3))
    for item in items:
        if item:
            w = Tier.PRO
            continue
    return w.value  # LOOKALIKE: rebound before `continue`


def nested_loops(rows):
    w = nnx.Param(jnp.ones(3))
    for row in rows:
        for cell in row:
            w = cell
    return w.value  # LOOKALIKE: rebound in the inner loop


def conditional_definition(flag):
    if flag:
        w = nnx.Param(jnp.ones(3))
    else:
        w = Tier.FREE
    return w.value  # LOOKALIKE: Param on one path, Enum on the other


def ternary_binding(flag):
    w = nnx.Param(jnp.ones(3)) if flag else Tier.FREE
    return w.value  # LOOKALIKE: the ternary's two types disagree


def or_binding(w0):
    w = w0 or Tier.FREE
    return w.value  # LOOKALIKE: `or` yields either operand


def star_unpack(pair):
    first, *rest = (nnx.Param(jnp.ones(3)), Tier.FREE)
    return rest[0].value  # LOOKALIKE: the starred rest holds the Enum


def swapped_unpack():
    a, b = nnx.Param(jnp.ones(3)), Tier.FREE
    a, b = b, a
    return a.value  # LOOKALIKE: swapped: a is the Enum


def module_level_then_class_body():
    class Config:
        w = Tier.PRO
        level = w.value  # LOOKALIKE: class-body name, an Enum

    return Config


def global_read_before_rebinding():
    global current
    value = current.value  # LOOKALIKE: a global rebound elsewhere (see reset_current)
    current = nnx.Param(jnp.ones(3))
    return value


def lambda_default_captures(levels):
    w = nnx.Param(jnp.ones(3))
    readers = [lambda w=level: w.value for level in levels]  # LOOKALIKE: the lambda's own w defaults to an item of levels, not the outer Param
    return readers, w


def exception_name(load):
    try:
        load()
    except ValueError as w:
        return w.value  # LOOKALIKE: an exception with a `value` attribute (e.g. StopIteration)


def stop_iteration(gen):
    try:
        next(gen)
    except StopIteration as stop:
        return stop.value  # LOOKALIKE: StopIteration.value is the generator's return value
