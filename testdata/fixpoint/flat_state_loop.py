# The pairs of `state.flat_state()` hold Variables, as those of `nnx.to_flat_state(state)`
# (what state-methods makes of it) do: `v.value` in the loop is rewritten in the same run.
from flax import nnx


def show(m: nnx.Module):
    for k, v in nnx.state(m, nnx.Param).flat_state():
        print(k, v.value)


def show_new(m: nnx.Module):
    for k, v in nnx.to_flat_state(nnx.state(m, nnx.Param)):
        print(k, v.value)
