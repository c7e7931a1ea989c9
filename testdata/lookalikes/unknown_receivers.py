"""Receivers whose type nothing shows: their attributes share names with flax layers'
Variables (kernel, bias, scale, mean, embedding) but the receiver itself is unknown."""

import argparse
import enum

import jax.numpy as jnp
from flax import nnx


class Kernel(enum.Enum):
    RBF = "rbf"
    LINEAR = "linear"


class Model(nnx.Module):
    def __init__(self, *, rngs: nnx.Rngs):
        self.dense = nnx.Linear(4, 4, rngs=rngs)
        self.norm = nnx.LayerNorm(4, rngs=rngs)
        self.bn = nnx.BatchNorm(4, rngs=rngs)
        self.embed = nnx.Embed(10, 4, rngs=rngs)

    def __call__(self, x):
        return self.norm(self.dense(x))


def parse(argv):
    parser = argparse.ArgumentParser()
    parser.add_argument("--kernel", type=Kernel, default=Kernel.RBF)
    return parser.parse_args(argv)


def kernel_from_args(argv):
    args = parse(argv)
    return args.kernel.value  # LOOKALIKE: argparse option named like Linear's `kernel`, holding an Enum


def kernel_from_namespace(args):
    return args.kernel.value  # LOOKALIKE: an unannotated parameter with no callers: unknown


def bias_from_config(config):
    return config.bias.value  # LOOKALIKE: a config object's `bias` field (an Enum in user code)


def scale_from_hparams(hparams):
    return hparams.scale.value  # LOOKALIKE: a hyper-parameter container, not a LayerNorm


def mean_of_stats(stats):
    return stats.mean.value  # LOOKALIKE: `stats` is unknown (a metrics record), not a BatchNorm


def embedding_of_row(row):
    return row.embedding.value  # LOOKALIKE: a database row object


def nested_unknown(trainer):
    return trainer.state.kernel.value  # LOOKALIKE: attribute chain from an unknown root


def kernel_choice_loop(choices):
    out = []
    for choice in choices:
        out.append(choice.kernel.value)  # LOOKALIKE: loop variable over an unknown iterable
    return out


def kernel_in_lambda(items):
    return sorted(items, key=lambda item: item.kernel.value)  # LOOKALIKE: lambda parameter, unknown


def kernel_after_getattr(obj):
    target = getattr(obj, "child")
    return target.bias.value  # LOOKALIKE: result of getattr, unknown


def kernel_from_dict(d):
    spec = d["dense"]
    return spec.kernel.value  # LOOKALIKE: item of an unknown dict


class ConvNet(nnx.Module):
    def __init__(self, specs, *, rngs: nnx.Rngs):
        self.kernel_sizes = [spec.kernel for spec in specs]  # LOOKALIKE: kernel sizes from a YAML config: ints, not Params
        self.biases = [s.bias for s in specs]  # LOOKALIKE: use-bias flags from the config
        self.scales = tuple(s.scale for s in specs)  # LOOKALIKE: a tuple of config floats
        self.convs = nnx.List([nnx.Conv(1, 1, (s.kernel,), rngs=rngs) for s in specs])

    def __call__(self, x):
        for conv in self.convs:
            x = conv(x)
        return x
