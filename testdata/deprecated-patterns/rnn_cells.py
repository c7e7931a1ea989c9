# Reported: `carry_init=` (line 9) and `keep_rngs=True` (lines 10 and 27, a subclass's
# `super().__init__`) given to an RNN cell's constructor; not `keep_rngs=False` (the default,
# silent), not `initialize_carry`'s own `carry_init=` (line 14), not another class's
# `carry_init=` (lines 22, 33).
import jax.numpy as jnp
from flax import nnx

rngs = nnx.Rngs(0)
ones = nnx.LSTMCell(2, 3, carry_init=nnx.initializers.ones, rngs=rngs)
kept = nnx.GRUCell(2, 3, keep_rngs=True, rngs=rngs)
plain = nnx.SimpleCell(2, 3, keep_rngs=False, rngs=rngs)
print(nnx.RNN(ones)(jnp.ones((1, 4, 2))).shape, nnx.RNN(kept)(jnp.ones((1, 4, 2))).shape)
print(nnx.RNN(plain)(jnp.ones((1, 4, 2))).shape)
print(plain.initialize_carry((1, 2), rngs, carry_init=nnx.initializers.ones).shape)


class Config:
    def __init__(self, carry_init=None):
        self.carry_init = carry_init


Config(carry_init=nnx.initializers.ones)


class DropoutCell(nnx.LSTMCell):
    def __init__(self, in_features, hidden_features, *, rngs: nnx.Rngs):
        super().__init__(in_features, hidden_features, keep_rngs=True, rngs=rngs)
        self.dropout = nnx.Dropout(0.1, rngs=rngs)


class Plain(Config):
    def __init__(self):
        super().__init__(carry_init=None)
