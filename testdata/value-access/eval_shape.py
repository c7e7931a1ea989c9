# nnx.eval_shape's model holds ShapeDtypeStructs: its Variables are read and written with
# get_value()/set_value(), never `[...]`.
import jax
from flax import nnx


def restore(variables):
    abs_model = nnx.eval_shape(lambda: nnx.Linear(1, 2, rngs=nnx.Rngs(0)))
    assert isinstance(abs_model.kernel.value, jax.ShapeDtypeStruct)
    abs_model.kernel.value = variables["kernel"]
    model = nnx.Linear(1, 2, rngs=nnx.Rngs(0))
    return model.kernel.value
