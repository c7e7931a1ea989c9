from flax import nnx


def make_table():
    return {}


class Tracker(nnx.Module):
    def __init__(self, init_fn, *, rngs: nnx.Rngs):
        self.calls = nnx.Variable(0)
        self.table = nnx.Variable(make_table())
        self.maybe = nnx.Variable(None)
        self.learned = nnx.Param(init_fn(rngs.params()))

    def __call__(self, x):
        if self.maybe.value is None:
            print(self.calls.value, self.table.value)
        return x * self.learned.value
