"""Training-script neighbours of NNX code: experiment trackers, configs, other JAX libraries."""

import enum

import equinox as eqx
import haiku as hk
import jax
import jax.numpy as jnp
import ml_collections
import wandb
from flax import nnx
from omegaconf import OmegaConf


class Precision(enum.Enum):
    FP32 = "float32"
    BF16 = "bfloat16"


class Net(nnx.Module):
    def __init__(self, *, rngs: nnx.Rngs):
        self.dense = nnx.Linear(4, 4, rngs=rngs)


def wandb_config(run_config):
    run = wandb.init(project="nnx", config=run_config)
    precision = Precision(run.config.precision)
    return precision.value  # LOOKALIKE: an Enum built from a wandb config entry


def wandb_summary(run):
    best = run.summary.get("best_loss")
    return best.value if hasattr(best, "value") else best  # LOOKALIKE: a wandb summary entry


def omegaconf_node(path):
    cfg = OmegaConf.load(path)
    node = cfg._get_node("model")
    return node._value()  # not `.value`: control case


def ml_collections_reference():
    ref = ml_collections.FieldReference(Precision.BF16)
    return ref.get().value  # LOOKALIKE: the Enum held by a FieldReference


def ml_collections_config():
    config = ml_collections.ConfigDict({"precision": Precision.FP32})
    return config.precision.value  # LOOKALIKE: an Enum in a ConfigDict


def haiku_params(rng, x):
    forward = hk.transform(lambda x: hk.Linear(4)(x))
    params = forward.init(rng, x)
    return params["linear"]["w"]  # haiku params are plain dicts of arrays: control case


def haiku_state(rng, x):
    forward = hk.transform_with_state(lambda x: hk.Linear(4)(x))
    params, state = forward.init(rng, x)
    return state.value if hasattr(state, "value") else state  # LOOKALIKE: haiku state is a dict


def equinox_linear(key):
    layer = eqx.nn.Linear(4, 4, key=key)
    return layer.weight  # equinox fields are arrays: control case


def equinox_enum_field(key):
    class Tagged(eqx.Module):
        precision: Precision = Precision.FP32

    return Tagged().precision.value  # LOOKALIKE: an Enum field of an equinox Module


def jax_random_key_data(seed):
    key = jax.random.key(seed)
    data = jax.random.key_data(key)
    return data  # control case


def jax_shape_dtype(x):
    spec = jax.ShapeDtypeStruct(x.shape, x.dtype)
    return spec.shape


def enum_dtype(p: Precision):
    return jnp.dtype(p.value)  # LOOKALIKE: an annotated Enum parameter
