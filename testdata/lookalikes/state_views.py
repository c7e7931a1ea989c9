"""nnx.State views whose `value` key is a sub-State (MultiHeadAttention and user attention
modules have a `value` submodule), and gradient results whose shape is not known."""

import jax
import jax.numpy as jnp
from flax import nnx


class Attention(nnx.Module):
    def __init__(self, d, *, rngs: nnx.Rngs):
        self.query = nnx.Linear(d, d, rngs=rngs)
        self.value = nnx.Linear(d, d, rngs=rngs)

    def __call__(self, x):
        return self.value(self.query(x))


class Model(nnx.Module):
    def __init__(self, *, rngs: nnx.Rngs):
        self.attn = Attention(4, rngs=rngs)
        self.mha = nnx.MultiHeadAttention(2, 4, rngs=rngs, decode=False)


def clip(tree):
    return jax.tree.map(lambda g: jnp.clip(g, -1, 1), tree)


def value_substate_passed_on(model: Model, loss_fn):
    grads = nnx.grad(loss_fn)(model)
    return clip(grads.attn.value)  # LOOKALIKE: `value` is the attention's submodule (a sub-State), passed whole


def value_substate_leaves(model: Model):
    state = nnx.state(model)
    return jax.tree.leaves(state.mha.value)  # LOOKALIKE: MultiHeadAttention's `value` sub-State


def value_substate_bound(model: Model):
    state = nnx.state(model, nnx.Param)
    proj = state.attn.value  # LOOKALIKE: a sub-State bound to a name
    return proj


def value_substate_in_dict(model: Model):
    state = nnx.state(model)
    return {"value_proj": state.attn.value}  # LOOKALIKE: sub-State stored in a dict


def value_substate_len(model: Model):
    params = nnx.state(model, nnx.Param)
    return len(params.attn.value)  # LOOKALIKE: number of entries of the sub-State


def value_substate_merge(model: Model):
    graphdef, state = nnx.split(model.attn)
    return nnx.merge(graphdef, state).value  # LOOKALIKE: merge gives the Attention Module back: `.value` is its submodule


def value_substate_update(model: Model, new):
    state = nnx.state(model)
    nnx.update(model.attn.value, state.attn.value)  # LOOKALIKE: both are the `value` submodule / sub-State


def grad_with_kwargs(loss_fn, model: Model, opts):
    out = nnx.grad(loss_fn, **opts)(model)
    return out[1].value  # LOOKALIKE: **opts may set has_aux: out[1] is then the aux output


def grad_then_rebound(loss_fn, model: Model, postprocess):
    grads = nnx.grad(loss_fn)(model)
    grads = postprocess(grads)
    return grads["attn"]["query"]["kernel"].value  # LOOKALIKE: rebound to an unknown result


def grad_transform_rebound(loss_fn, model: Model):
    grad_fn = nnx.grad(loss_fn)
    grad_fn = jax.jit(grad_fn)  # jax.jit of an nnx transform: returns whatever jax gives back
    grads = grad_fn(model)
    return grads["attn"].value  # LOOKALIKE: grad_fn rebound to a jax.jit wrapper


def state_of_module_named_value(model: Model):
    state = nnx.state(model.attn)
    return state.value  # LOOKALIKE: the `value` sub-State of Attention
