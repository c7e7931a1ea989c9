import argparse
import enum

from absl import flags
from flax import nnx

FLAGS = flags.FLAGS


class Color(enum.Enum):
    RED = 1


class Config:
    def __init__(self):
        self.value = 3


class Attention(nnx.Module):
    def __init__(self, rngs: nnx.Rngs):
        self.value = nnx.Linear(2, 2, rngs=rngs)  # a submodule named `value`

    def __call__(self, x):
        return self.value(x) + self.value.kernel.shape[0]


def f(config: Config, obj, attention: Attention):
    parser = argparse.ArgumentParser()
    print(Color.RED.value, FLAGS.learning_rate.value, config.value)
    print(obj.value, getattr(obj, "value"), obj.weight.value)
    state = nnx.state(attention)
    print(state.value.kernel, state['value'])
    x = nnx.Param(1.0)
    x = 3
    return x.value, parser
