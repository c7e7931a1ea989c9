# Near-misses: `.type` / `.module` / `.rngs` / `_object__state` of objects not shown to be
# flax's (an array's dtype, an argparse namespace, a Linen module, a class of the project
# with its own `module`), and every `v.type` on the default target (silent from 0.12.1).
import argparse

import flax.linen as nn
import jax.numpy as jnp
from flax import nnx


class Wrapper(nnx.Module):
    def __init__(self, module):
        self.module = module


def f(x: jnp.ndarray, args: argparse.Namespace, dense: nn.Dense, v: nnx.Param, w: Wrapper, obj):
    return x.dtype.type, args.type, dense.module if hasattr(dense, "module") else None, v.type, w.module, obj._object__state
