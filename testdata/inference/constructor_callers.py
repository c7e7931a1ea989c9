# An `__init__` parameter without annotation: the type every construction of the class
# passes, when every construction is seen (a class a def defines, used only by calls there).
import jax.numpy as jnp
from flax import nnx


def test_variable_reference():
    class Foo(nnx.Module):
        def __init__(self, var, scale=None):
            self.var = var
            self.scale = scale

    def check(m: Foo) -> Foo:  # annotations build nothing
        return m

    var = nnx.Param(jnp.ones(3))
    foo = Foo(var)
    bar = Foo(nnx.Param(jnp.zeros(3)), scale=nnx.BatchStat(jnp.ones(())))
    built = isinstance(foo, Foo), isinstance(bar, (Foo, int))  # builds nothing
    foo.var  # revealed: nnx.Param[array]
    foo.scale  # revealed: nnx.BatchStat[array]


def test_mixed_arguments():  # near-miss: one call passes an array
    class Foo(nnx.Module):
        def __init__(self, var):
            self.var = var

    a = Foo(nnx.Param(jnp.ones(3)))
    b = Foo(jnp.ones(3))
    a.var  # revealed: unknown


def test_class_escapes(register):  # near-miss: constructed where it is passed
    class Foo(nnx.Module):
        def __init__(self, var):
            self.var = var

    register(Foo)
    foo = Foo(nnx.Param(jnp.ones(3)))
    foo.var  # revealed: unknown


def test_keyword_arguments_unpacked(kwargs):  # near-miss: `**kwargs` cannot be matched
    class Foo(nnx.Module):
        def __init__(self, var):
            self.var = var

    foo = Foo(nnx.Param(jnp.ones(3)))
    other = Foo(**kwargs)
    foo.var  # revealed: unknown


def test_classmethod_builds_it(x):  # near-miss: `cls(x)` is a construction no name shows
    class Foo(nnx.Module):
        def __init__(self, var):
            self.var = var

        @classmethod
        def create(cls, x):
            return cls(x)

    foo = Foo(nnx.Param(jnp.ones(3)))
    foo.var  # revealed: unknown


def test_subclass(x):  # near-miss: the subclass's constructions reach Foo.__init__
    class Foo(nnx.Module):
        def __init__(self, var):
            self.var = var

    class Bar(Foo):
        pass

    foo = Foo(nnx.Param(jnp.ones(3)))
    bar = Bar(jnp.ones(3))
    foo.var  # revealed: unknown


def test_subclass_constructions():
    # Bar runs Foo.__init__ with its own call's arguments; Baz through `super().__init__`
    class Foo(nnx.Module):
        def __init__(self, var):
            self.var = var

    class Bar(Foo):
        pass

    class Baz(Foo):
        def __init__(self, scale):
            super().__init__(nnx.Param(jnp.ones(3)))
            self.scale = scale

    foo = Foo(nnx.Param(jnp.ones(3)))
    bar = Bar(nnx.Param(jnp.zeros(3)))
    baz = Baz(2.0)
    foo.var  # revealed: nnx.Param[array]
    baz.var  # revealed: nnx.Param[array]


def test_super_call_passes_other_things():  # near-miss: Baz's `super().__init__` passes an array
    class Foo(nnx.Module):
        def __init__(self, var):
            self.var = var

    class Baz(Foo):
        def __init__(self):
            super().__init__(jnp.ones(3))

    foo = Foo(nnx.Param(jnp.ones(3)))
    foo.var  # revealed: unknown


def test_mixin_runs_first():  # near-miss: Mixin's `__init__` runs before Foo's and calls it
    class Foo(nnx.Module):
        def __init__(self, var):
            self.var = var

    class Mixin:
        def __init__(self, var):
            super().__init__(jnp.ones(3))

    class Baz(Mixin, Foo):
        pass

    foo = Foo(nnx.Param(jnp.ones(3)))
    foo.var  # revealed: unknown


def test_super_with_arguments():  # near-miss: `super(Baz, self)` may skip to another class
    class Foo(nnx.Module):
        def __init__(self, var):
            self.var = var

    class Baz(Foo):
        def __init__(self):
            super(Baz, self).__init__(nnx.Param(jnp.ones(3)))

    foo = Foo(nnx.Param(jnp.ones(3)))
    foo.var  # revealed: unknown


def test_bridge_module(x):  # near-miss: nnx.bridge.Module's metaclass pops `name`
    class Foo(nnx.bridge.Module):
        def __init__(self, name):
            self.w = name

    foo = Foo(name=nnx.Param(jnp.ones(3)))
    foo.w  # revealed: unknown


class Public(nnx.Module):
    def __init__(self, var):
        self.var = var


def test_module_level_class():
    # a module-level class may be built outside the scanned paths: only the kind carries over
    p = Public(nnx.Param(jnp.ones(3)))
    p.var  # revealed: nnx.Param
