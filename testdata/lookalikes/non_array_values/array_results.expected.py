"""Variables whose value comes from an array library but is not one array (a tuple, a list,
a numpy Generator, an NpzFile, a linen variables dict): `[...]` on such a Variable fails,
so `.value` may only become `get_value()`."""

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx


class Whitening(nnx.Module):
    def __init__(self, cov):
        self.eig = nnx.Variable(jnp.linalg.eigh(cov))  # a (values, vectors) tuple

    def __call__(self, x):
        values, vectors = self.eig.get_value()  # NON-ARRAY: tuple from jnp.linalg.eigh, `[...]` fails
        return x @ vectors / jnp.sqrt(values)


class Svd(nnx.Module):
    def __init__(self, w):
        self.factors = nnx.Cache(jnp.linalg.svd(w, full_matrices=False))

    def __call__(self, x):
        u, s, vt = self.factors.get_value()  # NON-ARRAY: tuple from jnp.linalg.svd
        return x @ u * s @ vt


class Chunks(nnx.Module):
    def __init__(self, x):
        self.parts = nnx.Variable(jnp.split(x, 2))  # a list of arrays

    def __call__(self):
        return self.parts.get_value()[0]  # NON-ARRAY: list from jnp.split


class Scanned(nnx.Module):
    def __init__(self, xs):
        def step(c, x):
            return c + x, c

        self.result = nnx.Variable(jax.lax.scan(step, 0.0, xs))  # (carry, ys)

    def carry(self):
        carry, _ = self.result.get_value()  # NON-ARRAY: tuple from jax.lax.scan
        return carry


class Generator(nnx.Module):
    def __init__(self, seed):
        self.rng = nnx.Variable(np.random.default_rng(seed))  # a numpy Generator object

    def sample(self):
        return self.rng.get_value().normal()  # NON-ARRAY: numpy Generator, not an array


class Archive(nnx.Module):
    def __init__(self, path):
        self.weights = nnx.Variable(np.load(path))  # an NpzFile for .npz archives

    def kernel(self):
        return self.weights.get_value()["kernel"]  # NON-ARRAY: NpzFile mapping


class Unique(nnx.Module):
    def __init__(self, labels):
        self.counts = nnx.Variable(jnp.unique(labels, return_counts=True))

    def classes(self):
        return self.counts.get_value()[0]  # NON-ARRAY: (values, counts) tuple


class Grid(nnx.Module):
    def __init__(self, n):
        self.mesh = nnx.Variable(jnp.meshgrid(jnp.arange(n), jnp.arange(n)))

    def rows(self):
        return self.mesh.get_value()[0]  # NON-ARRAY: list from jnp.meshgrid


class Linen(nnx.Module):
    """A hand-rolled bridge: a linen module's variables kept in one Variable."""

    def __init__(self, linen_module, key, x):
        self.linen_module = linen_module
        self.variables = nnx.Variable(linen_module.init(key, x))  # a FrozenDict, not an array

    def __call__(self, x):
        return self.linen_module.apply(self.variables.get_value(), x)  # NON-ARRAY: linen `init(key, x)` result


class Carry(nnx.Module):
    def __init__(self, cell_init, batch, hidden):
        self.carry = nnx.Variable(cell_init(batch, hidden))  # an LSTM (c, h) tuple

    def state(self):
        c, h = self.carry.get_value()  # NON-ARRAY: `*_init(a, b)` helper of unknown kind
        return h


class TopK(nnx.Module):
    def __init__(self, scores):
        self.best = nnx.Variable(jax.lax.top_k(scores, 3))

    def indices(self):
        return self.best.get_value()[1]  # NON-ARRAY: (values, indices) tuple from lax.top_k


class Hist(nnx.Module):
    def __init__(self, x):
        self.hist = nnx.Variable(np.histogram(x, bins=10))

    def edges(self):
        return self.hist.get_value()[1]  # NON-ARRAY: (counts, edges) tuple from np.histogram


class Nonzero(nnx.Module):
    def __init__(self, mask):
        self.where = nnx.Variable(jnp.nonzero(mask))

    def rows(self):
        return self.where.get_value()[0]  # NON-ARRAY: tuple of index arrays


class Abstract(nnx.Module):
    def __init__(self, *, rngs: nnx.Rngs):
        self.dense = nnx.Linear(2, 2, rngs=rngs)


def abstract_kernel():
    abstract = nnx.eval_shape(lambda: Abstract(rngs=nnx.Rngs(0)))
    return abstract.dense.kernel.get_value()  # NON-ARRAY: eval_shape gives ShapeDtypeStructs, `[...]` fails
