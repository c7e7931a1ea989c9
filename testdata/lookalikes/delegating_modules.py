"""A Module that forwards unknown attributes to a wrapped object: flax-layer attribute
names (kernel, bias) on it say nothing."""

from flax import nnx


class KerasBridge(nnx.Module):
    """Wraps a Keras layer; unknown attributes go to it."""

    def __init__(self, layer, *, rngs: nnx.Rngs):
        self.layer = layer
        self.proj = nnx.Linear(2, 2, rngs=rngs)

    def __getattr__(self, name):
        return getattr(self.layer, name)


def keras_kernel(bridge: KerasBridge):
    return bridge.kernel.value  # LOOKALIKE: the Keras layer's kernel (a keras.Variable) through __getattr__


def module_kernel(m: nnx.Module):
    return m.kernel.value  # LOOKALIKE: some Module: the bridge above is one, and its kernel is Keras's
