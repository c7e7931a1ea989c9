# Reported, left as written: to_variable() of a State's item (line 6: a leaf or a
# sub-State, which the engine cannot tell apart).
from flax import nnx

leaf = nnx.state(nnx.Linear(2, 2, rngs=nnx.Rngs(0)))["bias"]
print(type(leaf.to_variable()).__name__)
