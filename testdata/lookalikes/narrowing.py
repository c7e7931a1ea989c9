"""isinstance narrowing that no longer holds at the read."""

import dataclasses
import enum

import jax.numpy as jnp
from flax import nnx


class Kind(enum.Enum):
    A = 1


@dataclasses.dataclass
class Holder:
    value: int = 0
    w: object = None


def rebound_in_branch(v, other):
    if isinstance(v, nnx.Param):
        v = other.lookup()
        return v.value  # LOOKALIKE: rebound after the check


def rebound_by_walrus_in_test(v, registry):
    if isinstance(v, nnx.Param) and (v := registry.get(v)) is not None:
        return v.value  # LOOKALIKE: the walrus after the isinstance rebinds v


def rebound_by_walrus_in_expression(v, registry):
    return isinstance(v, nnx.Param) and (v := registry.get(v)) is not None and v.value  # LOOKALIKE: walrus rebinding inside the `and`


def rebound_in_loop(v, items):
    if isinstance(v, nnx.Param):
        for item in items:
            print(v.value if item is None else 0)  # LOOKALIKE: from the 2nd iteration v is the previous item
            v = item


def rebound_in_while(v, parents):
    while isinstance(v, nnx.Variable):
        v = parents[v]
    return v.value  # LOOKALIKE: after the loop v is whatever ended it: not a Variable


def negative_check_falls_through(v):
    if not isinstance(v, nnx.Param):
        print("not a param")
    return v.value  # LOOKALIKE: both paths reach here; v is unknown


def or_does_not_narrow(v, flag):
    if isinstance(v, nnx.Param) or flag:
        return v.value  # LOOKALIKE: `or`: v may be anything when flag is true


def narrowed_other_name(v, w):
    if isinstance(w, nnx.Param):
        return v.value  # LOOKALIKE: the check was on w, not v


def check_on_type_of(v):
    if type(v).__name__ == "Param":
        return v.value  # LOOKALIKE: a string comparison is not an isinstance check


def check_with_local_class(v):
    class Param:
        value = 3

    if isinstance(v, Param):
        return v.value  # LOOKALIKE: a local class named Param


def check_with_shadowed_nnx(v, nnx):
    if isinstance(v, nnx.Param):
        return v.value  # LOOKALIKE: `nnx` is a parameter here, not flax.nnx


def rebound_in_with(v, opener):
    if isinstance(v, nnx.Param):
        with opener() as v:
            return v.value  # LOOKALIKE: `with ... as v` rebinds


def rebound_in_except(v, risky):
    if isinstance(v, nnx.Param):
        try:
            v = risky()
        except Exception:
            pass
        return v.value  # LOOKALIKE: v is risky()'s result unless it raised


def rebound_in_for_target(v, items):
    if isinstance(v, nnx.Param):
        for v in items:
            print(v.value)  # LOOKALIKE: the for target rebinds v


def rebound_by_tuple_unpack(v, pair):
    if isinstance(v, nnx.Param):
        v, _ = pair
        return v.value  # LOOKALIKE: rebound by unpacking


def rebound_by_import(v):
    if isinstance(v, nnx.Param):
        from enum import Enum as v  # noqa: F811
        return v.value  # LOOKALIKE: rebound by an import


def rebound_by_del_and_assign(v):
    if isinstance(v, nnx.Param):
        del v
        v = Kind.A
        return v.value  # LOOKALIKE: deleted and rebound to an Enum


def narrowing_of_attribute_then_assigned(h: Holder, other):
    if isinstance(h.w, nnx.Param):
        h.w = other
        return h.w.value  # LOOKALIKE: the attribute chain was reassigned


def narrowing_of_attribute_then_head_rebound(h: Holder, other: Holder):
    if isinstance(h.w, nnx.Param):
        h = other
        return h.w.value  # LOOKALIKE: the head of the chain was rebound


def narrowing_of_attribute_then_walrus(h: Holder, other: Holder):
    if isinstance(h.w, nnx.Param):
        if (h := other) is not None:
            return h.w.value  # LOOKALIKE: the head of the chain was rebound by a walrus


def narrowing_of_attribute_in_loop(h: Holder, items):
    if isinstance(h.w, nnx.Param):
        for item in items:
            print(h.w.value)  # LOOKALIKE: reassigned later in the loop body (2nd iteration)
            h.w = item


def narrowing_of_attribute_then_setattr(h: Holder):
    if isinstance(h.w, nnx.Param):
        setattr(h, "w", Kind.A)
        return h.w.value  # LOOKALIKE: setattr replaced the attribute with an Enum


def narrowing_of_attribute_via_alias(h: Holder):
    if isinstance(h.w, nnx.Param):
        alias = h
        alias.w = Kind.A
        return h.w.value  # LOOKALIKE: reassigned through an alias of h


def narrowing_of_longer_chain_then_prefix_assigned(h: Holder, other):
    if isinstance(h.w.inner, nnx.Param):
        h.w = other
        return h.w.inner.value  # LOOKALIKE: a prefix of the chain was reassigned


def expression_narrowing_then_walrus(v, registry):
    return [v.value for _ in [0] if isinstance(v, nnx.Param) and (v := registry[v])]  # LOOKALIKE: walrus in the filter rebinds v


def comprehension_inner_shadow(groups):
    return [[c.value for c in c.children] for c in groups if isinstance(c, nnx.Variable)]  # LOOKALIKE: inner `c` shadows the checked one


def comprehension_second_generator(params):
    return [v.value for v in params if isinstance(v, nnx.Param) for v in v.tags]  # LOOKALIKE: the second `for v` rebinds v


def ifexp_checks_other(v, w):
    return v.value if isinstance(w, nnx.Param) else None  # LOOKALIKE: the check is on w


def ifexp_orelse(v):
    return None if isinstance(v, nnx.Param) else v.value  # LOOKALIKE: the else branch: v is NOT a Param


def assert_then_rebind(v, other):
    assert isinstance(v, nnx.Param)
    v = other()
    return v.value  # LOOKALIKE: rebound after the assert


def narrowed_in_lambda_shadow(v):
    return isinstance(v, nnx.Param) and (lambda v: v.value)(Holder())  # LOOKALIKE: the lambda's own v
