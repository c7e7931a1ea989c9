# Reported, left as written: to_variable() of a State's item (line 6: a leaf or a
# sub-State of a model whose structure is not known, which the engine cannot tell apart).
from flax import nnx
from zoo import load_model  # noqa: F401 -- a model of any class
leaf = nnx.state(load_model())["bias"]
print(type(leaf.to_variable()).__name__)
