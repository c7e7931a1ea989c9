# Near-misses: `.sharding` of arrays and other objects, a Variable's `.sharding` read as the
# array's (reported, not rewritten), stores, a Variable class with its own `sharding`.
import jax
import jax.numpy as jnp
from flax import nnx


class Placed(nnx.Variable):
    @property
    def sharding(self):
        return ("fixed",)


def show(x: jax.Array, s, p: nnx.Param, q: Placed):
    print(x.sharding, len(x.sharding.device_set), s.sharding[0], s.sharding_names)
    print(q.sharding[0], tuple(q.sharding))
    print(p.sharding.spec)  # reported: the array's Sharding on 0.11.2+, the annotation on 0.10
    p.sharding_names = ("a",)
    return jnp.zeros(3).sharding
