# An import in a def binds the name there; the file's imports of that name name one thing.
import jax.numpy as jnp


def test_docs_example(x):
    from flax import nnx

    class Foo(nnx.Module):
        def __init__(self, x):
            self.x = nnx.Param(x)

    m = Foo(jnp.ones(3))
    m  # revealed: local_imports.test_docs_example.Foo
    m.x  # revealed: nnx.Param[array]
    nnx.Param(jnp.ones(3))  # revealed: nnx.Param[array]


def rebound(make):
    from flax import nnx

    nnx = make()  # the name also holds something else
    nnx.Param(1)  # revealed: unknown

