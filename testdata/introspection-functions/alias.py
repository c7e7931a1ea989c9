import flax.nnx as fnnx


def walk(model: fnnx.Module):
    return list(model.iter_modules())
