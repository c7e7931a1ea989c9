# `flax.nnx.object` is gone from flax 0.11.1 (ModuleNotFoundError): the import of `Object`
# comes from `flax.nnx`; an import of the module's other names stays. The migrated file
# runs on flax 0.10.7, 0.11.2 and 0.12.8 with DeprecationWarnings as errors.
from flax.nnx import Object
from flax.nnx import Object as Base


class Counter(Object):
    def __init__(self):
        self.count = 0


class Other(Base):
    pass


print(Counter().count, issubclass(Other, Object))
