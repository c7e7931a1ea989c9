"""Instances whose methods or attribute stores are replaced: an Optimizer whose update is
monkeypatched, a Variable subclass with its own __setattr__."""

import jax.numpy as jnp
import optax
from flax import nnx


def custom_update(grads):
    return grads


def train(model, grads):
    opt = nnx.Optimizer(model, optax.sgd(0.1), wrt=nnx.Param)
    opt.update = custom_update
    opt.update(grads)  # LOOKALIKE: update was replaced on this instance by a one-argument function


class Recording(nnx.Param):
    def __setattr__(self, name, value):
        if name == "tag":
            object.__setattr__(self, "_tag", value)
        else:
            super().__setattr__(name, value)


def tag_it():
    r = Recording(jnp.ones(3))
    r.tag = "x"  # LOOKALIKE: Recording.__setattr__ handles tag itself
    return r
