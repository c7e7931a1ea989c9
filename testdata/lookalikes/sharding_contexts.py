"""Meshes and sharding constraints that are not (or not shown to be) jax's and flax's own."""

import contextlib

import jax
import numpy as np
from flax import nnx
from jax.sharding import Mesh
from jax.sharding import PartitionSpec as P

import eformer.escale as es
from eformer.escale import with_sharding_constraint
from my_cluster import Mesh as ClusterMesh

devices = np.array(jax.devices()).reshape(1, -1)
cluster = ClusterMesh(devices)
mesh = Mesh(devices, ("data", "model"))
if devices.size > 1:
    mesh = contextlib.nullcontext()


def build():
    with cluster:  # LOOKALIKE: another library's Mesh
        return nnx.Linear(2, 2, rngs=nnx.Rngs(0))


def rebound():
    with mesh:  # LOOKALIKE: rebound to a nullcontext on some runs
        return nnx.Linear(2, 2, rngs=nnx.Rngs(0))


def local():
    mesh = contextlib.nullcontext()
    with mesh:  # LOOKALIKE: a local name, not the module's Mesh
        return nnx.Linear(2, 2, rngs=nnx.Rngs(0))


class Engine:
    def with_sharding_constraint(self, x, spec):
        return x

    def run(self, x):
        x = with_sharding_constraint(x, P("data"))  # LOOKALIKE: eformer's function
        x = es.with_sharding_constraint(x, P("data"))  # LOOKALIKE: eformer's module
        return self.with_sharding_constraint(x, P("data"))  # LOOKALIKE: a method of the same name
