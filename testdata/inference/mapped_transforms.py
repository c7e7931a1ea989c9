# Results of nnx.vmap / nnx.pmap / nnx.scan (rebuilt from what the function returns: graph
# nodes of the same class, arrays as arrays, a Python scalar as an array) and of
# nnx.split_rngs(splits=...) (what the function returns, as it is).
import functools

import jax
import jax.numpy as jnp
from flax import nnx
from mylib import some_decorator


class Block(nnx.Module):
    def __init__(self, din, dout, *, rngs: nnx.Rngs):
        self.linear = nnx.Linear(din, dout, rngs=rngs)
        self.scale = nnx.Param(jnp.ones((dout,)))


class Plain:
    pass


@nnx.vmap
def bare(key):
    return Block(2, 3, rngs=nnx.Rngs(key))


@nnx.vmap(in_axes=0, out_axes=None)
def called(key):
    return Block(2, 3, rngs=nnx.Rngs(0))


@functools.partial(nnx.vmap, in_axes=0, out_axes=0)
def partial_form(key):
    return Block(2, 3, rngs=nnx.Rngs(key))


@nnx.split_rngs(splits=4)
@nnx.vmap(axis_size=4)
def stacked(rngs: nnx.Rngs):
    return Block(2, 3, rngs=rngs)


@nnx.jit
@nnx.split_rngs(splits=4)
@nnx.vmap(in_axes=(0,), out_axes=0, axis_size=4)
def jitted(rngs):
    return Block(2, 3, rngs=rngs)


@nnx.pmap(in_axes=0, out_axes=0)
def per_device(key):
    return Block(2, 3, rngs=nnx.Rngs(key))


@nnx.split_rngs(splits=4)
@nnx.scan(in_axes=(0,), out_axes=0, length=4)
def scanned(rngs):
    return Block(2, 3, rngs=rngs)


@nnx.scan(in_axes=(nnx.Carry, 0), out_axes=(nnx.Carry, 0))
def scan_step(carry, x):
    return carry, nnx.Param(x)


@nnx.vmap(in_axes=0, out_axes=0)
def several(key):
    block = Block(2, 3, rngs=nnx.Rngs(key))
    return block, nnx.state(block), nnx.Param(key), nnx.Rngs(key), None


@nnx.split_rngs(splits=4)
def split_only(rngs):
    return Block(2, 3, rngs=rngs)


@nnx.vmap(in_axes=0, out_axes=0)
def annotated(key) -> Block:
    return Block(2, 3, rngs=nnx.Rngs(key))


def make(rngs):
    return Block(2, 3, rngs=rngs)


def results(keys, rngs: nnx.Rngs):
    bare(keys)  # revealed: mapped_transforms.Block
    bare(keys).scale  # revealed: nnx.Param[array]
    called(keys).linear.kernel  # revealed: nnx.Param[array]
    partial_form(keys)  # revealed: mapped_transforms.Block
    stacked(rngs).scale  # revealed: nnx.Param[array]
    jitted(rngs)  # revealed: mapped_transforms.Block
    per_device(keys)  # revealed: mapped_transforms.Block
    scanned(rngs).scale  # revealed: nnx.Param[array]
    scan_step(0, keys)  # revealed: tuple[unknown, nnx.Param]
    several(keys)  # revealed: tuple[mapped_transforms.Block, State[mapped_transforms.Block], nnx.Param, Rngs, None]
    split_only(rngs)  # revealed: mapped_transforms.Block
    annotated(keys)  # revealed: mapped_transforms.Block


def call_forms(keys, rngs: nnx.Rngs, m: Block):
    nnx.vmap(make)(rngs)  # revealed: mapped_transforms.Block
    nnx.vmap(make, in_axes=0, axis_size=4)(rngs).scale  # revealed: nnx.Param[array]
    nnx.pmap(make)(rngs)  # revealed: mapped_transforms.Block
    nnx.vmap(lambda key: Block(2, 3, rngs=nnx.Rngs(key)))(keys)  # revealed: mapped_transforms.Block
    nnx.jit(make)(rngs)  # revealed: mapped_transforms.Block
    nnx.vmap(lambda block: block)(m)  # revealed: mapped_transforms.Block
    nnx.jit(lambda block: block)(m).scale  # revealed: nnx.Param[array]


class Stack(nnx.Module):
    def __init__(self, n, *, rngs: nnx.Rngs):
        @nnx.split_rngs(splits=n)
        @nnx.vmap
        def create(rngs):
            return Block(3, 3, rngs=rngs)

        self.blocks = create(rngs)

    def __call__(self, x):
        self.blocks  # revealed: mapped_transforms.Block
        return x


def forwarded(rngs: nnx.Rngs):
    blocks = stacked(rngs)

    @nnx.vmap(in_axes=(0,), out_axes=0)
    def passes(block):
        block  # revealed: mapped_transforms.Block
        return block

    @nnx.vmap(in_axes=(0, None), out_axes=0)
    def count(block, n):
        return n  # an int comes back an array: not what was passed

    @nnx.pmap
    def mapped(block):  # near-miss: pmap's calls do not count as plain calls
        block  # revealed: unknown
        return block

    passes(blocks)  # revealed: mapped_transforms.Block
    count(blocks, 3)  # revealed: unknown
    mapped(blocks)  # revealed: unknown


@nnx.vmap
def scalar(x):
    return 1.0


@nnx.vmap
def plain(x):
    return Plain()


@nnx.vmap
def text(x):
    return "s"


@jax.vmap
def jax_mapped(key):
    return Block(2, 3, rngs=nnx.Rngs(key))


@some_decorator
@nnx.vmap
def unknown_decorator(key):
    return Block(2, 3, rngs=nnx.Rngs(key))


@nnx.shard_map(mesh=None, in_specs=None, out_specs=None)
def sharded(key):
    return Block(2, 3, rngs=nnx.Rngs(key))


@nnx.split_rngs
def split_bare(rngs):
    return Block(2, 3, rngs=rngs)


@functools.partial(nnx.split_rngs, splits=4)
def split_partial(rngs):  # split_rngs(f, splits=4): f is the node split, the result backups
    return Block(2, 3, rngs=rngs)


def options(**kwargs):
    @nnx.vmap(**kwargs)
    def with_options(key):
        return Block(2, 3, rngs=nnx.Rngs(key))

    return with_options


def near_misses(keys, rngs: nnx.Rngs):
    scalar(keys)  # revealed: unknown
    plain(keys)  # revealed: unknown
    text(keys)  # revealed: unknown
    jax_mapped(keys)  # revealed: unknown
    unknown_decorator(keys)  # revealed: unknown
    sharded(keys)  # revealed: unknown
    split_bare(rngs)  # revealed: unknown
    split_partial(rngs)  # revealed: unknown
    jax.vmap(make)(rngs)  # revealed: unknown
    nnx.split_rngs(make, splits=4)(rngs)  # revealed: unknown
    nnx.vmap(make, make)(rngs)  # revealed: unknown
    nnx.vmap(*[make])(rngs)  # revealed: unknown
