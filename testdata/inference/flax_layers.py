# Attributes of flax's own layers, the same in flax 0.10.7, 0.11.2 and 0.12.8 (flax_api.MODULE_ATTRIBUTES).
from flax import nnx


def dropout(rngs: nnx.Rngs):
    d = nnx.Dropout(0.5, rngs=rngs)
    d.rngs  # revealed: RngStream
    d.rngs.count  # revealed: nnx.RngCount[array]
    d.rngs.key  # revealed: nnx.RngKey[array]
    d.rngs.params  # revealed: unknown
    d.rate  # revealed: unknown


def cells(rngs: nnx.Rngs):
    lstm = nnx.LSTMCell(2, 3, rngs=rngs)
    lstm.if_  # revealed: nnx.Linear
    lstm.hi.kernel  # revealed: nnx.Param[array]
    lstm.dense_i  # revealed: unknown
    gru = nnx.GRUCell(2, 3, rngs=rngs)
    gru.dense_h.kernel  # revealed: nnx.Param[array]
    gru.ii  # revealed: unknown
    nnx.OptimizedLSTMCell(2, 3, rngs=rngs).dense_i  # revealed: nnx.Linear
    nnx.SimpleCell(2, 3, rngs=rngs).dense_h  # revealed: nnx.Linear
    nnx.RNN(lstm).cell  # revealed: unknown
