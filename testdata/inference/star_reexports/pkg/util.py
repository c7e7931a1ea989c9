# no __all__: its public names are what a star import binds
from flax import nnx


class Counter(nnx.Module):
    def __init__(self):
        self.count = nnx.BatchStat(0)
