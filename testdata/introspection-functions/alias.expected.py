import flax.nnx as fnnx


def walk(model: fnnx.Module):
    return list(fnnx.iter_modules(model))
