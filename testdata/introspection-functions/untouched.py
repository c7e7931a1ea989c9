import pkgutil

from flax import nnx


class Registry:
    def iter_modules(self):
        return iter(())


def f(obj, registry: Registry, m: nnx.Module):
    print(list(pkgutil.iter_modules()), list(obj.iter_modules()), list(registry.iter_modules()))
    return list(m.iter_modules(graph=True))
