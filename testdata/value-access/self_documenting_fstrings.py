# `f"{expr=}"` prints expr's source text: a rewrite inside it would change the output, so
# those sites are left alone (and reported); other f-string fields are rewritten.
import jax.numpy as jnp
from flax import nnx

p = nnx.Param(jnp.ones(3))
count = nnx.Variable(0)

print(f"{p.value = }")  # stays
print(f"{count.value=!r:>10}")  # stays
print(f"{(count.value)=}")  # stays
print(f"p.value={p.value}")  # stays: the text before it reads as the field's own
print(f"{count.value + 1 = }")  # stays: the whole expression is printed
print(f"count={count.value}")
print(f"{count.value == 0}")
print(f"{p.value.shape}")
