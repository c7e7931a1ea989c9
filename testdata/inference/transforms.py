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


def streams(rngs: nnx.Rngs):
    rngs  # revealed: Rngs
    rngs["params"]  # revealed: RngStream
    rngs.params()  # revealed: Array


@nnx.grad
def inside_gradient(m: nnx.Dict):
    m["a"][0]  # revealed: GraphElement


def outside_gradient(m: nnx.Dict):
    m["a"][0]  # revealed: unknown
