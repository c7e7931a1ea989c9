# nnx.RNN's options by position (flax 0.10) are keyword-only from 0.11.0; `rnn_rngs`
# passes 0.10's 6th option, `rngs`, by position and is reported (line 17).
import jax.numpy as jnp
from flax import nnx
from flax.nnx import RNN

cell = nnx.SimpleCell(2, 3, rngs=nnx.Rngs(0))
time_major = nnx.RNN(cell, time_major=True)
carried = nnx.RNN(cell, time_major=False, return_carry=True)
backwards = RNN(
    cell,
    time_major=False,  # batch major
    return_carry=False,
    reverse=True,
)
named = nnx.RNN(cell, time_major=True, unroll=2)
rnn_rngs = nnx.RNN(cell, False, False, False, False, 1, None) if False else None

print(time_major(jnp.ones((4, 1, 2))).shape)
carry, y = carried(jnp.ones((1, 4, 2)))
print(carry.shape, y.shape, jnp.sum(y))
print(backwards(jnp.arange(8.0).reshape(1, 4, 2))[0, 0], named(jnp.ones((4, 1, 2))).shape)
