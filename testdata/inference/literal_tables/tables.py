# Module-level list literals read from other files: kept where every file only reads
# their items, so the whole project keeps what this file alone keeps.
from flax import nnx

READ = [nnx.Param(1), nnx.Linear(2, 3, rngs=nnx.Rngs(0))]
CHANGED = [nnx.Param(1), nnx.Linear(2, 3, rngs=nnx.Rngs(0))]
RENAMED = [nnx.Param(1), nnx.Linear(2, 3, rngs=nnx.Rngs(0))]

READ[0]  # revealed: nnx.Param
CHANGED[0]  # revealed: unknown
RENAMED[0]  # revealed: unknown
