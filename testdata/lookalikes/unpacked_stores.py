# Stores through unpacking: `m.w, m.cfg = m.cfg, m.w` puts the config in `w`, so `w`
# may hold an int and its `.value` is not a Variable's.
from flax import nnx


class Config:
    def __init__(self, value):
        self.value = value


class Model(nnx.Module):
    def __init__(self):
        self.w = nnx.Param(1)
        self.cfg = Config(3)


def swap(m: Model):
    m.w, m.cfg = m.cfg, m.w


def read(m: Model):
    return m.w.value  # LOOKALIKE: after swap(m), `m.w` is the Config


class Other(nnx.Module):
    def __init__(self):
        self.kernel = nnx.Param(1)


def unpack(o: Other, pair):
    o.kernel, _ = pair  # positions not known: anything


def read_other(o: Other):
    return o.kernel.value  # LOOKALIKE: `kernel` was unpacked from something not known
