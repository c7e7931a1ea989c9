# A State of known structure: that of the graph node it was taken from (nnx.state, nnx.split,
# gradients), or of a literal mapping; an item is a Variable of the class its attribute
# holds (not known to hold an array), or a sub-State.
import jax.numpy as jnp
from flax import nnx


class Block(nnx.Module):
    def __init__(self, rngs: nnx.Rngs):
        self.linear = nnx.Linear(2, 2, rngs=rngs)
        self.count = nnx.BatchStat(jnp.zeros(()))
        self.layers = [nnx.Linear(2, 2, rngs=rngs)]
        self.attn = nnx.MultiHeadAttention(2, 2, rngs=rngs)
        self.size = 3


def of_a_module(m: Block, f, g, flag):
    state = nnx.state(m)
    state  # revealed: State[state_structure.Block]
    state["count"]  # revealed: nnx.BatchStat
    state.count  # revealed: nnx.BatchStat
    state["linear"]  # revealed: State[nnx.Linear]
    state["linear"]["kernel"]  # revealed: nnx.Param
    state.linear.bias  # revealed: nnx.Param
    state["layers"][0]["kernel"]  # revealed: nnx.Param
    state["attn"]["value"]  # revealed: State[nnx.LinearGeneral]
    state["attn"]["value"]["kernel"]  # revealed: nnx.Param
    state["size"]  # revealed: State
    state.keys  # revealed: unknown
    nnx.state(m, nnx.Param)["linear"]["kernel"]  # revealed: nnx.Param
    nnx.state(m, nnx.Param, nnx.BatchStat)  # revealed: State
    graphdef, params = nnx.split(m)
    params["count"]  # revealed: nnx.BatchStat
    graphdef, params, rest = nnx.split(m, nnx.Param, ...)
    rest["count"]  # revealed: nnx.BatchStat
    grads = nnx.grad(f)(m)
    grads["linear"]["kernel"]  # revealed: nnx.Param
    nnx.filter_state(grads, nnx.Param)["count"]  # revealed: nnx.BatchStat
    either = nnx.state(m) if flag else g()
    either  # revealed: unknown


def literal():
    state = nnx.State({"a": nnx.Param(1), "b": {"c": nnx.Param(2)}, "d": 3})
    state["a"]  # revealed: nnx.Param
    state.b.c  # revealed: nnx.Param
    state["b"]  # revealed: State{'c': nnx.Param}
    state["d"]  # revealed: unknown
    state["e"]  # revealed: unknown


def replaced(m: Block, v, key):
    state = nnx.state(m)
    state["linear"]["kernel"] = v
    state["linear"]["kernel"]  # revealed: State
    other = nnx.state(m)
    other.update(v)
    other  # revealed: State
    kept = nnx.state(m)
    kept[key]  # revealed: State
    kept["linear"]["kernel"]  # revealed: nnx.Param


def gradients(m: Block, f, n):
    nnx.grad(f, argnums=1)(n, m)["count"]  # revealed: nnx.BatchStat
    nnx.grad(f, argnums=nnx.DiffState(0, nnx.Param))(m)["linear"]  # revealed: State[nnx.Linear]
    g1, g2 = nnx.grad(f, argnums=(nnx.DiffState(0, ...), 1))(m, m)
    g2["count"]  # revealed: nnx.BatchStat
    nnx.grad(f, argnums=n)(m)  # revealed: unknown
    nnx.grad(f, argnums=1)(m, n)  # revealed: unknown


def value_writes(m: Block, v):
    state = nnx.state(m)
    state.count.value = v
    state["linear"]["kernel"].value += 1
    state["linear"]["kernel"]  # revealed: nnx.Param


def nested_attribute(other_state):
    state = nnx.State({"a": nnx.Param(1), "b": {"c": nnx.Param(2)}})
    state.b.c  # revealed: nnx.Param
    other = nnx.State({"b": {"c": nnx.Param(2)}})
    other.b.d = nnx.Param(5)  # replaces items of `other`, not of `state`
    other.b.c  # revealed: State
