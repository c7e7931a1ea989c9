from flax import nnx


def inspect(model: nnx.Module, other: nnx.State):
    graphdef, state = nnx.split(model)
    params = nnx.filter_state(state, nnx.Param)
    params, rest = nnx.split_state(state, nnx.Param, ...)
    flat = nnx.to_flat_state(params)
    merged = nnx.merge_state(params, rest)
    merged = nnx.merge_state(params, rest)
    doubled = nnx.map_state(lambda path, x: x * 2, params)
    pure = nnx.to_pure_dict(other)
    nnx.replace_by_pure_dict(other, pure)
    again = nnx.from_flat_state(flat)
    return graphdef, merged, doubled, again
