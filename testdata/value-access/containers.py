"""Lists and dicts of Variables through builtins and their methods."""
import jax
import jax.numpy as jnp
from flax import nnx


class Model(nnx.Module):
    def __init__(self):
        self.w = nnx.Param(jnp.ones(3))
        self.count = nnx.BatchStat(jnp.zeros(()))


def through_builtins(m: Model, params: dict[str, nnx.Param], queue: list[nnx.Param]):
    a = params.get("w").value  # a missing key fails either way
    b = params.get("w", None).value
    c = dict(w=m.w)["w"].value
    d = list([m.w, m.count])[0].value
    e = max([m.w, m.count], key=id).value
    f = queue.pop().value
    g = sorted(queue, key=id)[0].value
    h = params.copy()["w"].value
    return a, b, c, d, e, f, g, h


def leaves(m: Model):
    state = nnx.state(m)
    variables = jax.tree.leaves(state, is_leaf=lambda x: isinstance(x, nnx.Variable))
    return [v.value for v in variables]
