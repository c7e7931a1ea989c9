# `nnx.from_tree(nnx.to_tree(x))` gives the graph nodes and Variables of x as they are, in the
# same tuples, lists and dicts (flax 0.10.7, 0.11.2, 0.12.8, also through jax.jit); its
# other leaves may come back as traced arrays: unknown.
import jax
import jax.numpy as jnp
from flax import nnx


class Foo(nnx.Module):
    def __init__(self):
        self.a = nnx.Param(jnp.ones(3))


def test_round_trip():
    m = Foo()
    impure = (m, 1, {'b': m})
    with nnx.update_context('t'):
        pure = nnx.to_tree(impure, ctxtag='t')
        pure  # revealed: to_tree[tuple[to_tree.Foo, unknown, dict[to_tree.Foo]]]
        pure[0]  # revealed: unknown

        @jax.jit
        def f(pure):
            inner = nnx.from_tree(pure, ctxtag='t', is_inner=True)
            inner[0]  # revealed: to_tree.Foo
            inner[1]  # revealed: unknown
            inner[2]['b'].a  # revealed: nnx.Param[array]
            return nnx.to_tree(inner, ctxtag='t')

        outer = nnx.from_tree(f(pure), ctxtag='t', is_inner=False)
        outer[0]  # revealed: to_tree.Foo
        nnx.from_tree(pure, merge_fn=lambda ctx, path, prefix, leaf: leaf)  # revealed: unknown
        nnx.from_tree(impure)  # revealed: unknown
