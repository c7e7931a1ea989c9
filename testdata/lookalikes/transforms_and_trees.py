"""jax.tree.map lambdas and gradient transforms over things that are not an nnx.State of
Variables, or whose result is not what `nnx.grad(f)(module)` gives."""

import dataclasses
import enum

import jax
import jax.numpy as jnp
import optax
from flax import nnx


class Unit(enum.Enum):
    SEC = "s"


@dataclasses.dataclass
class Reading:
    value: float
    unit: Unit


class Net(nnx.Module):
    def __init__(self, *, rngs: nnx.Rngs):
        self.dense = nnx.Linear(2, 2, rngs=rngs)

    def __call__(self, x):
        return self.dense(x)


def tree_of_readings(readings: list):
    return jax.tree.map(lambda r: r.value, readings, is_leaf=lambda x: isinstance(x, Reading))  # LOOKALIKE: leaves are dataclasses


def tree_without_is_leaf(state: nnx.State):
    return jax.tree.map(lambda v: v.value, state)  # LOOKALIKE: without is_leaf the leaves are arrays, `.value` is not a Variable's


def tree_is_leaf_other_class(state: nnx.State):
    return jax.tree.map(lambda v: v.value, state, is_leaf=lambda x: isinstance(x, Reading))  # LOOKALIKE: is_leaf stops at Readings


def tree_is_leaf_or(state: nnx.State):
    return jax.tree.map(lambda v: v.value, state, is_leaf=lambda x: isinstance(x, nnx.Variable) or x is None)  # LOOKALIKE: None leaves too


def tree_over_pure_dict(model: Net):
    pure = nnx.to_pure_dict(nnx.state(model))
    return jax.tree.map(lambda v: v.value, pure, is_leaf=lambda x: isinstance(x, nnx.Variable))  # LOOKALIKE: a pure dict has arrays, not Variables


def tree_two_trees(state: nnx.State, other):
    return jax.tree.map(lambda a, b: b.value, state, other, is_leaf=lambda x: isinstance(x, nnx.Variable))  # LOOKALIKE: b comes from an unknown tree


def tree_util_over_list(xs):
    return jax.tree_util.tree_map(lambda r: r.value, xs)  # LOOKALIKE: a list of unknown leaves


def tree_map_named_function(state: nnx.State):
    def read(v):
        return v.value  # LOOKALIKE: tree.map over a State without is_leaf passes arrays

    return jax.tree.map(read, state)


def grad_with_argnums(loss_fn, model: Net, x):
    grads = nnx.grad(loss_fn, argnums=1)(model, x)
    return grads.value  # LOOKALIKE: gradient w.r.t. x, an array


def grad_of_dict(loss_fn, params: dict):
    grads = nnx.grad(loss_fn)(params)
    return grads["w"].value  # LOOKALIKE: differentiating a plain dict


def jax_grad_of_arrays(loss_fn, w):
    grads = jax.grad(loss_fn)(w)
    return grads["kernel"].value  # LOOKALIKE: jax.grad of unknown w


def grad_has_aux(loss_fn, model: Net):
    grads, aux = nnx.grad(loss_fn, has_aux=True)(model)
    return aux.value  # LOOKALIKE: the aux output, not gradients


def value_and_grad_loss(loss_fn, model: Net):
    loss, grads = nnx.value_and_grad(loss_fn)(model)
    return loss.value  # LOOKALIKE: the loss (an array or user object), not a State


def value_and_grad_aux(loss_fn, model: Net):
    (loss, metrics), grads = nnx.value_and_grad(loss_fn, has_aux=True)(model)
    return metrics.value  # LOOKALIKE: aux metrics


def grad_dynamic_has_aux(loss_fn, model: Net, aux: bool):
    out = nnx.grad(loss_fn, has_aux=aux)(model)
    return out[1].value  # LOOKALIKE: has_aux not known: out may be a tuple


def grad_of_readings(loss_fn, r: Reading):
    grads = nnx.grad(loss_fn)(r)
    return grads.value  # LOOKALIKE: gradient of a dataclass (a Reading of grads)


def optax_state(model: Net, grads):
    tx = optax.adam(1e-3)
    opt_state = tx.init(nnx.state(model, nnx.Param))
    updates, opt_state = tx.update(grads, opt_state)
    return opt_state[0].count  # plain optax state, and below its `.value`-free use


def optax_inject(model: Net):
    tx = optax.inject_hyperparams(optax.sgd)(learning_rate=0.1)
    opt_state = tx.init(nnx.state(model))
    lr = opt_state.hyperparams["learning_rate"]
    return lr.value if hasattr(lr, "value") else lr  # LOOKALIKE: an optax hyperparameter array


def vmap_over_readings(readings):
    def read(r):
        return r.value  # LOOKALIKE: vmapped over Readings

    return jax.vmap(read)(readings)


def checkpoint_restore(path):
    import orbax.checkpoint as ocp

    restored = ocp.StandardCheckpointer().restore(path)
    return restored["dense"]["kernel"].value  # LOOKALIKE: orbax restores a dict (of arrays or value dicts)


def lax_scan_carry(xs):
    def step(carry, x):
        return Reading(carry.value + x, Unit.SEC), None  # LOOKALIKE: scan carry is a Reading

    return jax.lax.scan(step, Reading(0.0, Unit.SEC), xs)
