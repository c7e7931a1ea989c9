"""Classes that mix in a base from another library (or one computed at run time): what
that base defines cannot be seen, so a Variable subclass with such a mixin before flax's
Variable may have its own `value`, and a Module with one may get `kernel` from it."""

import jax.numpy as jnp
from flax import nnx
from keras import layers
from tracking import ValueMixin, make_base


class Tracked(ValueMixin, nnx.Variable):
    pass


def tracked():
    v = Tracked(jnp.ones(3))
    return v.value  # LOOKALIKE: ValueMixin (another library) comes before flax's Variable and may define value


class KerasDense(nnx.Module, layers.Dense):
    def __init__(self, units, *, rngs: nnx.Rngs):
        layers.Dense.__init__(self, units)
        self.proj = nnx.Linear(2, 2, rngs=rngs)


def keras_kernel(d: KerasDense):
    return d.kernel.value  # LOOKALIKE: kernel is the Keras layer's (a keras.Variable), not a flax layer's


class Dynamic(make_base(), nnx.Param):
    pass


def dynamic():
    return Dynamic(jnp.ones(3)).value  # LOOKALIKE: the first base is computed at run time


class Wrapped(nnx.Module):
    def __init__(self, *, rngs: nnx.Rngs):
        self.dense = nnx.Linear(2, 2, rngs=rngs)


class WrappedWithMixin(Wrapped, ValueMixin):
    pass


def bias_of(w: Wrapped):
    return w.bias.value  # LOOKALIKE: a Wrapped may be a WrappedWithMixin, whose bias may come from ValueMixin


class Labelled(ValueMixin, nnx.Param):
    pass


def relabel(p: Labelled):
    p.label = "frozen"  # LOOKALIKE: ValueMixin may define __setattr__ or a label property before flax's Variable


class Walkable(layers.Layer, nnx.Module):
    pass


def walk(w: Walkable):
    return list(w.iter_modules())  # LOOKALIKE: the Keras base comes first in the MRO and may define iter_modules


class ShardedMixinParam(ValueMixin, nnx.Param):
    pass


def sharded():
    return ShardedMixinParam(jnp.ones(3), sharding=("model",))  # LOOKALIKE: ValueMixin's own __init__ may take sharding


class LoggingOptimizer(ValueMixin, nnx.Optimizer):
    pass


def make_optimizer(model, tx):
    return LoggingOptimizer(model, tx)  # LOOKALIKE: ValueMixin's own __init__ may not take wrt
