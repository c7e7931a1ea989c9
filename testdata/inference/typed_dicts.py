# `d['foo']` of a `d` annotated as a TypedDict class is what the class annotates `foo`
# as (an annotation is a claim, trusted as a parameter's annotation is).
import typing as tp
from typing import TypedDict

import jax.numpy as jnp
from flax import nnx


class Foo(nnx.Module):
    def __init__(self):
        self.a = nnx.Param(jnp.ones(3))


class FooDict(tp.TypedDict):
    foo: Foo


class More(FooDict, total=False):
    extra: nnx.BatchStat


class Annotated(dict):
    foo: Foo  # a dict subclass: its items are not its annotations


class Plain(TypedDict):
    foo: Foo


def reads(tree: tuple[FooDict], more: More, annotated: Annotated, plain: Plain, key: str):
    tree[0]['foo']  # revealed: typed_dicts.Foo
    tree[0]['foo'].a  # revealed: nnx.Param[array]
    more['foo']  # revealed: typed_dicts.Foo
    more['extra']  # revealed: nnx.BatchStat
    more['missing']  # revealed: unknown
    more[key]  # revealed: unknown
    annotated['foo']  # revealed: unknown
    plain['foo']  # revealed: typed_dicts.Foo
