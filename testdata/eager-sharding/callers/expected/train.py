"""Never says flax: found through the names models.py defines."""

import jax
import numpy as np
from jax.sharding import Mesh

from models import Head, make

mesh = Mesh(np.array(jax.devices()).reshape(1, -1), ("data", "model"))
with jax.set_mesh(mesh):
    model = make(0)

head = Head(8)  # built with no mesh: Head's annotation is reported
