"""More members that are not flax's own: __getattr__ / __getattribute__ Modules (reached
through a subclass, a base class or an isinstance check), iter_modules / iter_children
replaced on instances from outside, an Optimizer whose update is wrapped on the instance,
and a Variable base class whose __setattr__ keeps its attribute stores."""

import functools

import jax.numpy as jnp
import optax
from flax import nnx


class ParamTable(nnx.Module):
    """Parameters by name, in a dict; attribute access reads the dict."""

    def __init__(self, table: dict, *, rngs: nnx.Rngs):
        self.table = table
        self.out = nnx.Linear(2, 2, rngs=rngs)

    def __getattr__(self, name):
        try:
            return self.__dict__["table"][name]
        except KeyError as error:
            raise AttributeError(name) from error


def table_bias(t: ParamTable):
    return t.bias.value  # LOOKALIKE: bias comes from the dict through __getattr__ (a jax array has no .value)


class WrappedTable(ParamTable):
    pass


def wrapped_kernel(w: WrappedTable):
    return w.kernel.value  # LOOKALIKE: the subclass inherits the forwarding __getattr__


class Layer(nnx.Module):
    pass


class ForwardingLayer(Layer):
    def __init__(self, inner):
        self.inner = inner

    def __getattr__(self, name):
        return getattr(self.inner, name)


def layer_scale(layer: Layer):
    return layer.kernel.value  # LOOKALIKE: a Layer may be a ForwardingLayer, whose kernel is the inner object's


class Redirecting(nnx.Module):
    def __init__(self, fallback):
        self.w = nnx.Param(jnp.ones(3))
        self.fallback = fallback

    def __getattribute__(self, name):
        if name == "w":
            return object.__getattribute__(self, "fallback")
        return object.__getattribute__(self, name)


def redirected(r: Redirecting):
    return r.w.value  # LOOKALIKE: __getattribute__ returns the fallback object for w


class Tree(nnx.Module):
    def __init__(self, children):
        self.children = list(children)


def install_walker(t: Tree):
    t.iter_children = functools.partial(iter, t.children)


def tree_children(t: Tree):
    return list(t.iter_children())  # LOOKALIKE: install_walker() replaces iter_children on the instance


class Forest(nnx.Module):
    def __init__(self, trees):
        self.trees = list(trees)


def install_forest_walker(f: Forest):
    setattr(f, "iter_modules", lambda: iter(f.trees))


def forest_modules(f: Forest):
    return list(f.iter_modules())  # LOOKALIKE: setattr(f, "iter_modules", ...) replaces the method


class Grove(nnx.Module):
    def __init__(self, trees):
        self.trees = list(trees)
        self.iter_children = lambda: iter(self.trees)


def grove_children(g):
    if isinstance(g, Grove):
        return list(g.iter_children())  # LOOKALIKE: Grove instances carry their own iter_children
    return []


class Trainer:
    def __init__(self, model):
        self.model = model
        self.optimizer = nnx.Optimizer(model, optax.adam(1e-3), wrt=nnx.Param)
        self.optimizer.update = self._logged(self.optimizer.update)

    def _logged(self, update):
        def logged(grads):
            return update(self.model, grads)
        return logged

    def step(self, grads):
        self.optimizer.update(grads)  # LOOKALIKE: update is wrapped on the instance: it takes grads alone


def patched_step(model, grads):
    opt = nnx.Optimizer(model, optax.sgd(0.1), wrt=nnx.Param)
    setattr(opt, "update", lambda g: None)
    opt.update(grads)  # LOOKALIKE: setattr replaced update with a one-argument lambda


class Audited(nnx.Variable):
    def __setattr__(self, name, value):
        if not name.startswith("_"):
            object.__setattr__(self, "_last_change", name)
        super().__setattr__(name, value)


class AuditedParam(Audited):
    pass


def relabel(p: AuditedParam):
    p.label = "frozen"  # LOOKALIKE: the base class's __setattr__ records the change; set_metadata would skip it
