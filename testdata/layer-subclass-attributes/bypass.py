import jax
import jax.numpy as jnp
from flax import nnx


class SharedConv(nnx.Conv):
    """A Conv whose kernel is built here: Conv's own __init__ never runs."""

    def __init__(self, features: int, *, rngs: nnx.Rngs):
        self.kernel = nnx.Param(jnp.ones((3, features, features)) / features)
        self.bias = nnx.Param(jnp.zeros((features,)))
        self.kernel_size = (3,)
        self.in_features = self.out_features = features
        self.strides, self.padding = 1, "SAME"
        self.input_dilation = self.kernel_dilation = self.feature_group_count = 1
        self.use_bias, self.mask, self.dtype, self.precision = True, None, None, None
        self.conv_general_dilated = jax.lax.conv_general_dilated
        self.promote_dtype = nnx.nn.dtypes.promote_dtype

    def __call__(self, x):
        return nnx.Conv.__call__(self, x)


class Tied(nnx.Linear):
    def __init__(self, kernel):
        self.kernel = nnx.Param(kernel)
        self.bias = None
        self.in_features, self.out_features = kernel.shape
        self.use_bias, self.dtype, self.precision = False, None, None
        self.dot_general = jax.lax.dot_general
        self.promote_dtype = nnx.nn.dtypes.promote_dtype


class Borrowed(nnx.Module):
    """Not a Linear: it holds Linear's attributes and runs Linear's __call__ on itself."""

    def __init__(self, kernel):
        self.kernel = nnx.Param(kernel)
        self.bias = nnx.Param(jnp.zeros(kernel.shape[1]))
        self.in_features, self.out_features = kernel.shape
        self.use_bias, self.dtype, self.precision = True, None, None
        self.dot_general = jax.lax.dot_general
        self.promote_dtype = nnx.nn.dtypes.promote_dtype

    def __call__(self, x):
        return nnx.Linear.__call__(self, x)


class Wider(Tied):  # inherits Tied's __init__ (and the attribute, once added there)
    pass


if __name__ == "__main__":
    x = jnp.linspace(-0.5, 1.0, 2 * 8 * 4).reshape(2, 8, 4)
    print(SharedConv(4, rngs=nnx.Rngs(0))(x).sum())
    print(Tied(jnp.ones((4, 3)))(x).sum())
    print(Borrowed(jnp.ones((4, 3)) / 2)(x).sum())
