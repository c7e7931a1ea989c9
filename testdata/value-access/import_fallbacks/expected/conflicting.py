try:
    from flax import nnx
except ImportError:
    import mylib as nnx  # another module under the same name: trust neither


def read(v: nnx.Param):
    return v.value
