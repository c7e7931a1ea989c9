"""More array-library calls whose result is not one array (a tuple, a list, a numpy object):
`.value` on the Variable holding it may only become `get_value()`."""

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx


def case_0(scores, other):
    held = nnx.Variable(jax.lax.approx_max_k(scores, 3))
    return held.value  # NON-ARRAY: a (values, indices) tuple, as lax.top_k


def case_1(scores, other):
    held = nnx.Variable(jnp.atleast_2d(scores, other))
    return held.value  # NON-ARRAY: several arguments: a list of arrays


def case_2(scores, other):
    held = nnx.Variable(np.atleast_1d(scores, other))
    return held.value  # NON-ARRAY: several arguments: a list of arrays


def case_3(scores, other):
    held = nnx.Variable(jnp.ix_(scores, other))
    return held.value  # NON-ARRAY: a tuple of index arrays


def case_4(scores, other):
    held = nnx.Variable(np.polyfit(scores, other, 2, full=True))
    return held.value  # NON-ARRAY: full=True: a 5-tuple


def case_5(scores, other):
    held = nnx.Variable(jax.lax.optimization_barrier((scores, other)))
    return held.value  # NON-ARRAY: the pytree it was given: a tuple


def case_6(scores, other):
    held = nnx.Variable(np.broadcast(scores, other))
    return held.value  # NON-ARRAY: a numpy broadcast object


def case_7(scores, other):
    held = nnx.Variable(np.poly1d([1.0, 2.0]))
    return held.value  # NON-ARRAY: a numpy poly1d object


def case_8(scores, other):
    held = nnx.Variable(np.random.SeedSequence(0))
    return held.value  # NON-ARRAY: a numpy SeedSequence


def case_9(scores, other):
    held = nnx.Variable(np.random.PCG64(0))
    return held.value  # NON-ARRAY: a numpy bit generator


def case_10(scores, other):
    held = nnx.Variable(np.frompyfunc(abs, 1, 1))
    return held.value  # NON-ARRAY: a numpy ufunc
