"""Look-alikes of declared_forms.py: nothing here is shown to be a Variable."""
import typing

import jax.numpy as jnp
from flax import nnx

P = nnx.Param
P = dict  # rebound: not an alias any more

Q = nnx.Param


def rebind_q():
    global Q
    Q = dict


def wrap(f):
    return f


class Box:
    def __init__(self, value):
        self.value = value


class Model(nnx.Module):
    def __init__(self):
        self.w = nnx.Param(jnp.ones(3))
        self.box = Box(3)

    @property
    def weight_maybe(self):
        return self._lookup()  # unknown

    def _lookup(self):
        return getattr(self, "name")

    @wrap
    @property
    def decorated(self):
        return self.w

    def plain_method(self):
        return self.w

    def _helper(self, v):
        return v.value  # one caller passes a Box

    def _by_name(self, v):
        return v.value  # looked up by name below: callers unseen

    def _escapes(self, v):
        return v.value  # used as a value below: callers unseen

    def public(self, v):
        return v.value  # public: callers outside the project are unseen

    def __call__(self, x, other):
        a = self._helper(self.w) + self._helper(self.box)
        b = getattr(self, "_by_name")(self.w)
        c = list(map(self._escapes, [self.w]))
        d = self.public(self.w)
        e = self.weight_maybe.value + self.decorated.value
        return a, b, c, d, e, other._lookup().value


def unknown_receiver(obj, m: Model):
    m._unknown_callers(m.w)
    return obj._unknown_callers(3)


class Other(nnx.Module):
    def __init__(self):
        self.w = nnx.Param(jnp.ones(3))

    def _unknown_callers(self, v):
        return v.value  # `obj` above may be an Other, passing 3


def not_exact(v, u):
    if type(v) is not nnx.Param:
        return v.value
    if type(u) == dict:
        return u.value
    return None


def casts(x):
    return typing.cast(dict, x).value, P(x).value, Q(x).value
