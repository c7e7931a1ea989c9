# Reported: `self.sow` and `self.perturb(...)` outside nnx.capture (lines 10, 11) and
# hooks through nnx.with_metadata (line 22); a Module with its own `perturb` and a
# with_metadata without hooks are not.
import jax.numpy as jnp
from flax import nnx


class Block(nnx.Module):
    def __call__(self, x):
        self.sow(nnx.Intermediate, "features", x)
        return self.perturb("h", x)


class Own(nnx.Module):
    def perturb(self, name, x):
        return x

    def __call__(self, x):
        return self.perturb("h", x)


hooked = nnx.with_metadata(nnx.initializers.ones_init(), on_set_value=lambda v, x: x)
plain = nnx.with_metadata(nnx.initializers.ones_init(), sharding_names=("a",))
print(Block()(jnp.ones(2)), Own()(jnp.ones(2)))
