try:
    from flax import nnx
except ImportError:  # flax is an optional dependency
    nnx = None


def read(v: "nnx.BatchStat"):
    return v.value
