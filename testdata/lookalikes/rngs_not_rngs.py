"""A Module whose `rngs` is annotated as a numpy Generator: the keyword-only convention is
flax's for nnx.Rngs, and `rngs.<name>` is not an RngStream."""

import numpy as np
from flax import nnx


class NumpyModule(nnx.Module):
    def __init__(self, rngs: np.random.Generator):  # LOOKALIKE: a numpy Generator: not made keyword-only
        self.noise = rngs.normal(size=3)
        self.counter = rngs.bit_generator.state  # plain numpy

    def seed_value(self, rngs: np.random.Generator):
        return rngs.counter.count.value  # LOOKALIKE: annotated as a numpy Generator, not nnx.Rngs
