import jax.numpy as jnp
from flax import nnx


class Ordinary(nnx.Conv):  # runs Conv's __init__: the attribute is set there
    def __init__(self, features: int, *, rngs: nnx.Rngs):
        super().__init__(features, features, (3,), rngs=rngs)


class Explicit(nnx.Linear):
    def __init__(self, n: int, *, rngs: nnx.Rngs):
        nnx.Linear.__init__(self, n, n, rngs=rngs)


class SetsIt(nnx.Linear):
    def __init__(self, kernel):
        self.kernel = nnx.Param(kernel)
        self.preferred_element_type = None


class AlreadyThere(nnx.Einsum):
    preferred_element_type = None

    def __init__(self, kernel):
        self.kernel = nnx.Param(kernel)


class OwnCall(nnx.Linear):  # its own __call__ never runs Linear's
    def __init__(self, kernel):
        self.kernel = nnx.Param(kernel)

    def __call__(self, x):
        return x @ self.kernel[...]


class NoInit(nnx.Conv):  # Conv's __init__ runs
    pass


class NotALayer(nnx.Module):
    def __init__(self):
        self.w = nnx.Param(jnp.ones(2))


class CallsAnother(nnx.Module):  # runs another module's __call__, not a layer's on itself
    def __init__(self, rngs: nnx.Rngs):
        self.inner = nnx.Linear(2, 2, rngs=rngs)

    def __call__(self, x):
        return nnx.Linear.__call__(self.inner, x)


class NoBias(nnx.Conv):
    preferred_element_type = None

    def __init__(self, features: int):
        self.kernel = nnx.Param(jnp.ones((3, features, features)))
        self.bias = nnx.Param(None)  # reported: 0.12's Conv.__call__ reads self.bias[...]


class Float32Mixin:
    preferred_element_type = jnp.float32


class MixinAfter(nnx.Linear, Float32Mixin):  # the mixin's value, after the layer in the MRO
    def __init__(self, n: int):
        self.kernel = nnx.Param(jnp.ones((n, n)))
        self.bias = None


class TupleTarget:
    preferred_element_type, other = jnp.float16, 1


class TupleBefore(TupleTarget, nnx.Linear):
    def __init__(self, n: int):
        self.kernel = nnx.Param(jnp.ones((n, n)))
        self.bias = None


class PropertyBase(nnx.Linear):
    @property
    def preferred_element_type(self):
        return jnp.float32


class ThroughProperty(PropertyBase):
    def __init__(self, n: int):
        self.kernel = nnx.Param(jnp.ones((n, n)))
        self.bias = None


class OutsideMixinAfter(nnx.Linear, jnp.ndarray):  # a base outside the project anywhere in the MRO
    def __init__(self, n: int):
        self.kernel = nnx.Param(jnp.ones((n, n)))
        self.bias = None


class WalrusAtClassLevel(nnx.Linear):
    if (preferred_element_type := jnp.bfloat16):
        pass

    def __init__(self, n: int):
        self.kernel = nnx.Param(jnp.ones((n, n)))
        self.bias = None
