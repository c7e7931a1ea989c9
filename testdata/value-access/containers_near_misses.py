"""Look-alikes of containers.py: element types not shown, or not Variables."""
import jax
import jax.numpy as jnp
from flax import nnx


class Registry:
    def get(self, name):
        return self  # a class's own `get`


class Model(nnx.Module):
    def __init__(self):
        self.w = nnx.Param(jnp.ones(3))


def unknown_elements(params: dict[str, nnx.Param], other, xs, registry: Registry):
    a = params.get("w", other).value  # the default may be anything
    b = params.pop("w", 3).value
    c = {}.setdefault("w", other).value
    d = list(xs)[0].value
    e = dict(xs)["w"].value
    f = registry.get("w").value
    g = max(other, key=id).value
    return a, b, c, d, e, f, g


def leaves(m: Model, state: nnx.State):
    arrays = jax.tree.leaves(state)  # without is_leaf: arrays, not Variables
    modules = jax.tree.leaves(m, is_leaf=lambda x: isinstance(x, nnx.Variable))  # a Module: not a pytree in 0.10
    return arrays[0].value, modules[0].value
