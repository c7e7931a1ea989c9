from flax import nnx


def inspect(model: nnx.Module, other: nnx.State):
    graphdef, state = nnx.split(model)
    params = state.filter(nnx.Param)
    params, rest = state.split(nnx.Param, ...)
    flat = params.flat_state()
    merged = params.merge(rest)
    merged = nnx.State.merge(params, rest)
    doubled = params.map(lambda path, x: x * 2)
    pure = other.to_pure_dict()
    other.replace_by_pure_dict(pure)
    again = nnx.State.from_flat_path(flat)
    return graphdef, merged, doubled, again
