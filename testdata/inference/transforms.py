# flax's API: results of transforms, split / merge round trips, states and their leaves.
import jax
from flax import nnx


class Model(nnx.Module):
    def __init__(self, *, rngs: nnx.Rngs):
        self.linear = nnx.Linear(2, 3, rngs=rngs)


def gradients(loss, rngs: nnx.Rngs):
    m = Model(rngs=rngs)
    nnx.grad(loss)(m)  # revealed: State[transforms.Model]
    loss_value, grads = nnx.value_and_grad(loss)(m)
    grads  # revealed: State[transforms.Model]


def round_trip(rngs: nnx.Rngs):
    graphdef, state = nnx.split(Model(rngs=rngs))
    graphdef  # revealed: GraphDef[transforms.Model]
    state  # revealed: State[transforms.Model]
    nnx.merge(graphdef, state)  # revealed: transforms.Model
    nnx.merge(graphdef, state).linear.kernel  # revealed: nnx.Param[array]


def starred_round_trip(rngs: nnx.Rngs, other):
    parts = nnx.split(Model(rngs=rngs))
    nnx.merge(*parts)  # revealed: transforms.Model
    nnx.merge(*nnx.split(Model(rngs=rngs), nnx.Param, ...))  # revealed: transforms.Model
    nnx.merge(*other)  # revealed: unknown
    nnx.merge(*nnx.split_state(nnx.state(Model(rngs=rngs)), nnx.Param, ...))  # revealed: unknown


def round_trip_of_a_structure(rngs: nnx.Rngs, tx, v: nnx.Param, x, flag):
    # the GraphDef of a tuple, list or dict remembers it: nnx.merge makes that structure
    # again (flax 0.10.7 to 0.12.12), and its States are keyed by position or key
    model = Model(rngs=rngs)
    optimizer = nnx.Optimizer(model, tx, wrt=nnx.Param)
    graphdef, state = nnx.split((model, optimizer))
    graphdef  # revealed: GraphDef[tuple[transforms.Model, nnx.Optimizer]]
    model2, optimizer2 = nnx.merge(graphdef, state)
    model2.linear.kernel  # revealed: nnx.Param[array]
    optimizer2  # revealed: nnx.Optimizer
    state[0]["linear"]  # revealed: State[nnx.Linear]
    model3, optimizer3 = nnx.merge(*nnx.split((model, optimizer)))
    model3  # revealed: transforms.Model
    nnx.merge(*nnx.split([model, model]))[1]  # revealed: transforms.Model
    nnx.merge(nnx.graphdef((model, v)), state)[1]  # revealed: nnx.Param
    # near-misses: what is not a graph node stays unknown; a GraphDef bound to two
    # structures on two paths is of neither
    nnx.merge(*nnx.split((model, x)))[1]  # revealed: unknown
    if flag:
        either, state = nnx.split((model, optimizer))
    else:
        either, state = nnx.split((optimizer, model))
    nnx.merge(either, state)  # revealed: unknown
    nnx.merge(*nnx.split({"a": model, "b": v}))  # revealed: unknown


def split_variable(v: nnx.Param, w: nnx.Param):
    graphdef, state = nnx.split(v)
    state  # revealed: nnx.Param
    graphdef, batch_stats, params = nnx.split(w, nnx.BatchStat, nnx.Param)
    params  # revealed: unknown
    batch_stats  # revealed: unknown


def leaves(state: nnx.State):
    jax.tree.map(lambda v: v, state, is_leaf=lambda x: isinstance(x, nnx.Variable))
    for path, v in nnx.to_flat_state(state):
        v  # revealed: nnx.Variable


class Counter(nnx.Variable):
    def __init_subclass__(cls):  # flax's registers each subclass as a pytree; this one does not
        pass


class Steps(Counter):
    pass


def tree_map_of_a_variable(v: nnx.BatchStat, m: Model, w: Steps, x, f):
    # a Variable is a pytree node on every release: the result is one of its class
    jax.tree.map(lambda a: a + 1, v)  # revealed: nnx.BatchStat
    jax.tree_util.tree_map(f, v, v)  # revealed: nnx.BatchStat
    jax.tree.map(f, m.linear.kernel)  # revealed: nnx.Param
    # near-misses: is_leaf may stop at the Variable (f's result); a Module is a leaf in
    # flax 0.10.7; a class that may not register as a pytree; an unknown tree
    jax.tree.map(f, v, is_leaf=lambda a: isinstance(a, nnx.Variable))  # revealed: unknown
    jax.tree.map(f, m)  # revealed: unknown
    jax.tree.map(f, w)  # revealed: unknown
    jax.tree.map(f, x)  # revealed: unknown


def streams(rngs: nnx.Rngs):
    rngs  # revealed: Rngs
    rngs["params"]  # revealed: RngStream
    rngs.params()  # revealed: Array


@nnx.grad
def inside_gradient(m: nnx.Dict):
    m["a"][0]  # revealed: GraphElement


def outside_gradient(m: nnx.Dict):
    m["a"][0]  # revealed: unknown
