# `f"{expr=}"` prints expr's source text with its value: the rewrite changes that label as
# it changes the source (flax's maintainers migrated their notebooks' `{counter.count.value = }`
# the same way); the value printed is the same.
import jax.numpy as jnp
from flax import nnx

p = nnx.Param(jnp.ones(3))
count = nnx.Variable(0)

print(f"{p[...] = }")
print(f"{count.get_value()=!r:>10}")
print(f"count={count.get_value()}")
