import jax.numpy as jnp
from flax import nnx


def reinit(module, arr):
    if isinstance(module.kernel, nnx.Param):
        print(module.kernel.get_value().shape)
        module.kernel.set_value(arr)
    else:
        module.kernel = arr
    return module.kernel.value  # not narrowed here


def rebound(module, other, arr):
    if isinstance(module.kernel, nnx.Param):
        module = other
        return module.kernel.value  # module was rebound


def reassigned(module, arr):
    if isinstance(module.kernel, nnx.Param):
        module.kernel = arr
        return module.kernel.value  # the chain was reassigned
