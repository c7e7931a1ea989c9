# Near-misses: other names of the old module, a relative import, another package's `object`.
from flax.nnx.object import Object, ObjectMeta
from mypkg.nnx.object import Object as Mine

from .object import Object as Local

print(Object, ObjectMeta, Mine, Local)
