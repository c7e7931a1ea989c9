from flax import nnx


class Dense(nnx.Module):
    def __init__(self, config):
        self.config = config
        self.config.tag = "x"
        self.linear = nnx.Linear(2, 2, rngs=nnx.Rngs(0))
        self.linear.name = "dense"
