# Reported, left as written: a Module's own `set_mode` (line 12: nnx.view calls `set_view`
# from 0.12.4), a call of a layer's `set_mode` (line 24), an imported `eval_mode` (lines 4
# and 25) and a `train_mode` that is not called (line 26).
from flax.nnx import eval_mode
from flax import nnx


class Gate(nnx.Module):
    def __init__(self):
        self.open = True

    def set_mode(self, open=None, **kwargs):
        if open is not None:
            self.open = open
        return kwargs


class Block(nnx.Module):
    def __init__(self, *, rngs: nnx.Rngs):
        self.dropout = nnx.Dropout(0.5, rngs=rngs)


block = Block(rngs=nnx.Rngs(0))
block.dropout.set_mode(deterministic=True)
evaluated = eval_mode(block)
to_train = nnx.train_mode
