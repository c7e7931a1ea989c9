"""Project subclasses of flax classes that override what a rule rewrites towards:
the subclass's own method, parameter or property must keep being used."""

import jax.numpy as jnp
import optax
from flax import nnx


class Tree(nnx.Module):
    def __init__(self, children):
        self.children = nnx.List(children)

    def iter_modules(self):
        yield from self.children

    def iter_children(self):
        return iter(self.children)


def walk(t: Tree):
    return list(t.iter_modules()), list(t.iter_children())  # LOOKALIKE: Tree defines its own iter_modules / iter_children


class MyOpt(nnx.Optimizer):
    def __init__(self, model, tx):
        super().__init__(model, tx, wrt=nnx.Param)
        self.model_ref = model

    def update(self, grads):
        return super().update(self.model_ref, grads)


def train(model, grads):
    opt = MyOpt(model, optax.sgd(0.1))  # LOOKALIKE: MyOpt.__init__ has no `wrt` parameter
    opt.update(grads)  # LOOKALIKE: MyOpt.update takes the grads only


class Sharded(nnx.Param):
    def __init__(self, value, sharding=None, **kwargs):
        super().__init__(value, spec=sharding, **kwargs)


def make_sharded():
    return Sharded(jnp.ones(3), sharding=("model",))  # LOOKALIKE: Sharded's own `sharding` parameter, not flax's deprecated keyword


class Tagged(nnx.Param):
    @property
    def tag(self):
        return self._tag

    @tag.setter
    def tag(self, v):
        self._tag = v


def tag_it():
    t = Tagged(jnp.ones(3))
    t.tag = "x"  # LOOKALIKE: Tagged.tag is a property with a setter
    return t


class StateLike(nnx.Module):
    def filter(self, *keys):
        return self

    def split(self, n):
        return [self] * n


def own_filter(s: StateLike):
    return s.filter("a"), s.split(2)  # LOOKALIKE: StateLike's own filter / split
