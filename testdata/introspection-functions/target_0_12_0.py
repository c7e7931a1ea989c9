# nnx-migrate-test: --target-version 0.12.0
from flax import nnx


def f(m: nnx.Module):
    return list(m.iter_modules())
