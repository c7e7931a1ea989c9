"""Cases for the verifier over flax layers taken from old wheels (old_linear.py, old_normalization.py)."""

import jax.numpy as jnp
import old_linear
import old_normalization
from flax import nnx


def x(*shape):
    return jnp.linspace(-1.0, 1.0, int(jnp.prod(jnp.array(shape)))).reshape(shape)


def case_linear():
    return old_linear.Linear(3, 4, rngs=nnx.Rngs(0)), (x(2, 3),)


def case_linear_no_bias():
    return old_linear.Linear(3, 4, use_bias=False, rngs=nnx.Rngs(0)), (x(2, 3),)


def case_conv():
    return old_linear.Conv(3, 4, kernel_size=(3, 3), rngs=nnx.Rngs(0)), (x(1, 5, 5, 3),)


def case_embed():
    return old_linear.Embed(10, 4, rngs=nnx.Rngs(0)), (jnp.array([1, 2, 3]),)


def case_einsum():
    return old_linear.Einsum("ab,bc->ac", (3, 4), (4,), rngs=nnx.Rngs(0)), (x(2, 3),)


def case_batchnorm():
    return old_normalization.BatchNorm(4, rngs=nnx.Rngs(0)), (x(8, 4),)


def case_layernorm():
    return old_normalization.LayerNorm(4, rngs=nnx.Rngs(0)), (x(2, 4),)


def case_rmsnorm():
    return old_normalization.RMSNorm(4, rngs=nnx.Rngs(0)), (x(2, 4),)


def case_groupnorm():
    return old_normalization.GroupNorm(4, num_groups=2, rngs=nnx.Rngs(0)), (x(2, 4),)
