from flax import nnx


class Cache(nnx.Module):
    def __init__(self):
        self.entries = nnx.Variable({})
        self.history = nnx.Variable([])
        self.a = nnx.Variable(0)
        self.b = nnx.Variable(0)

    def __call__(self, key, x):
        self.entries.value[key] = x
        self.history.value.append(x)
        self.a.value = self.b.value = 1
        self.a.value, self.b.value = 2, 3
        del self.a.value
        get_module(self).a.value += 1
        return self.entries.get_value()


def get_module(m: Cache) -> Cache:
    return m
