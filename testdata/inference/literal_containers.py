# A list or dict literal bound once to a name whose every use only reads its items by
# constant keys: each item is typed by its position or key. dict() of a flat state maps
# paths to Variables; nnx.graph.flatten gives (GraphDef, flat state).
import jax
from flax import nnx


def items_by_key(f):
    p1, p2 = nnx.Param(1.0), nnx.Param(2.0)
    m = dict(a=[p1, p2], b=p1)
    m["a"][0]  # revealed: nnx.Param
    m["b"]  # revealed: nnx.Param
    m["c"]  # revealed: unknown
    assert m["a"][0] is m["b"]
    a = {"b": nnx.Param(3)}
    g = [a, 3, a, nnx.Linear(2, 3, rngs=nnx.Rngs(0))]
    g[0]["b"]  # revealed: nnx.Param
    g[-1]  # revealed: nnx.Linear
    g[1]  # revealed: unknown
    jax.tree.leaves(g)
    f(g[3])  # a Module: whatever f does with it, g's items stay
    by_number = {-1: nnx.Param(1), 2: nnx.Linear(2, 2, rngs=nnx.Rngs(0))}
    by_number[-1]  # revealed: nnx.Param
    by_number[2]  # revealed: nnx.Linear
    nested = {"layers": [nnx.Linear(2, 2, rngs=nnx.Rngs(0)), nnx.BatchStat(0)]}
    nested["layers"][1]  # revealed: nnx.BatchStat
    print(len(nested), nested["layers"][0].kernel)


def near_misses(f, key, flag):
    # each changes (or may change) an item, so no item is known by its key: the mixed
    # list's elements have no one type
    stored = [nnx.Param(1), nnx.Linear(2, 3, rngs=nnx.Rngs(0))]
    stored[1] = nnx.Param(2)
    stored[0]  # revealed: unknown
    appended = [nnx.Param(1), nnx.Linear(2, 3, rngs=nnx.Rngs(0))]
    appended.append(3)
    appended[0]  # revealed: unknown
    deleted = {"a": nnx.Param(1), "b": nnx.Linear(2, 3, rngs=nnx.Rngs(0))}
    del deleted["a"]
    deleted["a"]  # revealed: unknown
    updated = {"a": nnx.Param(1), "b": nnx.Linear(2, 3, rngs=nnx.Rngs(0))}
    updated.update(a=3)
    updated["a"]  # revealed: unknown
    passed = [nnx.Param(1), nnx.Linear(2, 3, rngs=nnx.Rngs(0))]
    f(passed)  # f may store into it
    passed[0]  # revealed: unknown
    inner = {"a": [nnx.Param(1), nnx.Linear(2, 3, rngs=nnx.Rngs(0))]}
    f(inner["a"])  # f may change the list inside
    inner["a"][0]  # revealed: unknown
    computed = [nnx.Param(1), nnx.Linear(2, 3, rngs=nnx.Rngs(0))]
    computed[key].extra = 3  # a store below an item read by a computed key
    computed[0]  # revealed: unknown
    rebound = [nnx.Param(1), nnx.Linear(2, 3, rngs=nnx.Rngs(0))]
    if flag:
        rebound = [nnx.Linear(2, 3, rngs=nnx.Rngs(0)), nnx.Param(1)]
    rebound[0]  # revealed: unknown
    alias = other = [nnx.Param(1), nnx.Linear(2, 3, rngs=nnx.Rngs(0))]
    other[0] = 3
    alias[0]  # revealed: unknown
    below = [{"w": nnx.Param(1)}, nnx.Linear(2, 3, rngs=nnx.Rngs(0))]
    below[0]["w"] = 3
    below[0]["w"]  # revealed: unknown


def passed_to_readers():
    # a def of this file (undecorated, or under nnx.grad / nnx.jit) whose parameter only
    # reads items, and jax.tree.map stopped at Variables, leave the items as they were
    p1, p2 = nnx.Param(10.0), nnx.Param(20.0)
    m = dict(a=[p1, p2], b=p1)

    @nnx.grad
    def f(m: dict):
        return m["a"][0].value + m["a"][1].value + m["b"].value

    grads = f(m)
    jax.tree.map(nnx.update, m, grads, is_leaf=lambda x: isinstance(x, nnx.Variable))
    m["a"][0]  # revealed: nnx.Param
    m["b"]  # revealed: nnx.Param


def passed_to_writers(h):
    changed = dict(a=[nnx.Param(1), nnx.Linear(2, 2, rngs=nnx.Rngs(0))])

    def grow(changed):
        changed["a"].append(3)

    grow(changed)
    changed["a"][0]  # revealed: unknown
    recursive = dict(a=[nnx.Param(1), nnx.Linear(2, 2, rngs=nnx.Rngs(0))])

    def again(recursive):  # kept simple: a function that meets itself is not followed
        again(recursive)
        return recursive["a"][0].value

    again(recursive)
    recursive["a"][0]  # revealed: unknown
    decorated = dict(a=[nnx.Param(1), nnx.Linear(2, 2, rngs=nnx.Rngs(0))])

    @h  # any other decorator may wrap the call in anything
    def read(decorated):
        return decorated["a"][0].value

    read(decorated)
    decorated["a"][0]  # revealed: unknown
    mapped = dict(a=[nnx.Param(1), nnx.Linear(2, 2, rngs=nnx.Rngs(0))])
    jax.tree.map(h, mapped, is_leaf=lambda x: isinstance(x, list))  # h gets the list
    mapped["a"][0]  # revealed: unknown


def changed_in_a_nested_function():
    kept = [nnx.Param(1), nnx.Linear(2, 3, rngs=nnx.Rngs(0))]

    def add():
        kept.append(3)

    add()
    kept[0]  # revealed: unknown


def shadowed_reader(len):
    kept = [nnx.Param(1), nnx.Linear(2, 3, rngs=nnx.Rngs(0))]
    len(kept)  # not the builtin: it may store into the list
    kept[0]  # revealed: unknown


class Holder:
    shared = [nnx.Param(1), nnx.Linear(2, 3, rngs=nnx.Rngs(0))]
    shared[0]  # revealed: unknown

    def grow(self):
        self.shared.append(3)  # a class attribute: stored through any instance


TABLE = [nnx.Param(1), nnx.Linear(2, 3, rngs=nnx.Rngs(0))]


def reads_module_table():
    TABLE[0]  # revealed: nnx.Param


CHANGED = [nnx.Param(1), nnx.Linear(2, 3, rngs=nnx.Rngs(0))]


def changes_module_table():
    global CHANGED
    CHANGED = []


def reads_changed_table():
    CHANGED[0]  # revealed: unknown


def states_of_literals(rngs: nnx.Rngs, f):
    # nnx.split / nnx.state of a list or dict literal: a State keyed by position or key
    layers = [nnx.Linear(2, 2, rngs=rngs), nnx.BatchNorm(2, rngs=rngs)]
    graphdef, state = nnx.split(layers)
    state[0]["kernel"]  # revealed: nnx.Param
    state[1]["mean"]  # revealed: nnx.BatchStat
    nnx.state(layers)[1]  # revealed: State[nnx.BatchNorm]
    layers[0]  # revealed: nnx.Linear
    nnx.state({"a": nnx.Linear(2, 2, rngs=rngs), "p": nnx.Param(1)})["p"]  # revealed: nnx.Param
    nnx.state(dict(a=nnx.Linear(2, 2, rngs=rngs), n=3))["n"]  # revealed: unknown
    # near-misses: nnx.pop and nnx.update remove and add dict items; any other call may too
    popped = [nnx.Linear(2, 2, rngs=rngs), nnx.BatchNorm(2, rngs=rngs)]
    nnx.pop(popped, nnx.BatchStat)
    nnx.state(popped)[1]  # revealed: State
    passed = [nnx.Linear(2, 2, rngs=rngs), nnx.BatchNorm(2, rngs=rngs)]
    graphdef, state = nnx.split(passed)
    nnx.update(passed, state)
    state[1]  # revealed: State


def flat_states(m: nnx.Linear, state: nnx.State, other):
    d = dict(nnx.to_flat_state(nnx.state(m)))
    d[("kernel",)]  # revealed: nnx.Variable
    dict(state.flat_state())[("bias",)]  # revealed: nnx.Variable
    graphdef, flat_state = nnx.graph.flatten(m)
    flat_state[0][1]  # revealed: nnx.Variable
    flat_state[-1][1]  # revealed: nnx.Variable
    replaced = dict(nnx.to_flat_state(state))
    replaced[("kernel",)] = 3
    replaced[("bias",)]  # revealed: unknown
    dict(other)[("kernel",)]  # revealed: unknown
