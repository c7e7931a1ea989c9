# Already 0.12.4+ code and look-alikes: nothing to change or report.
from flax import nnx


class Recorder:  # not a Module: its set_mode is its own
    def set_mode(self, mode):
        self.mode = mode


class Block(nnx.Module):
    def __init__(self, *, rngs: nnx.Rngs):
        self.dropout = nnx.Dropout(0.5, rngs=rngs)

    def set_view(self, deterministic=None):
        if deterministic is not None:
            self.dropout.deterministic = deterministic


recorder = Recorder()
recorder.set_mode("eval")
block = Block(rngs=nnx.Rngs(0))
evaluated = nnx.view(block, deterministic=True)
print(nnx.view_info(block), evaluated.dropout.deterministic)
