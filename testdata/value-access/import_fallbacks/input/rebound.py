try:
    from flax import nnx
except ImportError:
    nnx = None

if nnx is None:
    nnx = object()  # bound to something else too


def read(v: nnx.Param):
    return v.value
