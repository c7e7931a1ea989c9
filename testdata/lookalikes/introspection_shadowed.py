"""Modules whose iter_modules / iter_children are not the inherited methods: an instance
attribute, or a __getattribute__ override."""

from flax import nnx


class Lazy(nnx.Module):
    def __init__(self, children):
        self.children = list(children)
        self.iter_modules = lambda: iter(self.children)  # an instance attribute shadowing the method


def walk(m: Lazy):
    return list(m.iter_modules())  # LOOKALIKE: the instance attribute iter_modules (a lambda) shadows the method


class Proxy(nnx.Module):
    def __init__(self, target):
        self.target = target

    def __getattribute__(self, name):
        if name == "iter_children":
            return object.__getattribute__(self, "target").iter_children
        return object.__getattribute__(self, name)


def children(p: Proxy):
    return list(p.iter_children())  # LOOKALIKE: __getattribute__ sends iter_children to the target object
